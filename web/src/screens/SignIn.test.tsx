import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { SessionProvider, useSession } from "../auth";
import { SignIn } from "./SignIn";

function Probe() {
  const { token } = useSession();
  return token ? <p>signed in</p> : <SignIn />;
}

function renderSignIn() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <SessionProvider>
        <Probe />
      </SessionProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("sign-in", () => {
  it("keeps an accepted token in sessionStorage only", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response('{"role":"admin","canWrite":true}', { status: 200 })));
    renderSignIn();
    await userEvent.type(screen.getByLabelText("API token"), "good-token-0123456789");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByText("signed in");
    expect(sessionStorage.getItem("qlosync.token")).toBe("good-token-0123456789");
    expect(localStorage.length).toBe(0);
    expect(window.location.href).not.toContain("good-token");
  });

  it("says so when the token is rejected, and stays signed out", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("{}", { status: 401 })));
    renderSignIn();
    await userEvent.type(screen.getByLabelText("API token"), "bad-token-0123456789");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("This token was rejected"));
    expect(sessionStorage.getItem("qlosync.token")).toBeNull();
  });

  it("says so when the api is unreachable", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    renderSignIn();
    await userEvent.type(screen.getByLabelText("API token"), "any-token-0123456789");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("unreachable"));
  });
});
