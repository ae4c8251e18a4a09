import { useState, type FormEvent } from "react";
import { useSession } from "../auth";

/** Sign-in with an API token; the token stays in this tab (sessionStorage) only. */
export function SignIn() {
  const { signIn } = useSession();
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setBusy(true);
    setProblem(null);
    try {
      const response = await fetch("/api/v1/session", {
        headers: { Authorization: `Bearer ${candidate}` },
      });
      if (response.ok) signIn(candidate);
      else if (response.status === 401) setProblem("This token was rejected. Check API_TOKENS / API_READONLY_TOKENS.");
      else setProblem(`The api answered HTTP ${response.status}.`);
    } catch {
      setProblem("The api is unreachable: check that qlosync's api is running.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="signin">
      <form onSubmit={submit} className="card">
        <h1>qlosync console</h1>
        <p>Sign in with an API token (one of <code>API_TOKENS</code>, or a read-only one).</p>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoFocus
        />
        {problem && (
          <div className="state error" role="alert">
            {problem}
          </div>
        )}
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="hint">Kept in this browser tab only; closing the tab signs you out.</p>
      </form>
    </div>
  );
}
