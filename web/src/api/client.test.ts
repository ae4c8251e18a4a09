import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiFailure, onUnauthorized, tokenStore, unwrap } from "./client";

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

afterEach(() => vi.unstubAllGlobals());

describe("the api client", () => {
  it("sends the session's token as a bearer header and nothing when signed out", async () => {
    const fetch = answer(200, { role: "admin", canWrite: true });
    vi.stubGlobal("fetch", fetch);
    tokenStore.set("token-0123456789abcdef");
    expect(await unwrap(api.GET("/api/v1/session"))).toEqual({ role: "admin", canWrite: true });
    const sent = (fetch.mock.calls[0] as unknown as [Request])[0];
    expect(sent.headers.get("Authorization")).toBe("Bearer token-0123456789abcdef");
    expect(sent.url).not.toContain("token-0123456789abcdef");
    expect(localStorage.length).toBe(0);
  });

  it("turns an error body into words naming the bad fields", async () => {
    vi.stubGlobal(
      "fetch",
      answer(422, {
        error: { code: "validation_failed", message: "the request has invalid fields", fields: [{ field: "baseUrl", problem: "must be an http(s) URL" }] },
      }),
    );
    const failure = await unwrap(api.GET("/api/v1/session")).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect((failure as ApiFailure).status).toBe(422);
    expect((failure as ApiFailure).message).toBe("the request has invalid fields: baseUrl must be an http(s) URL");
    expect((failure as ApiFailure).fields).toEqual([{ field: "baseUrl", problem: "must be an http(s) URL" }]);
  });

  it("says the api is unreachable when the network fails", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const failure = (await unwrap(api.GET("/api/v1/session")).catch((e: unknown) => e)) as ApiFailure;
    expect(failure.code).toBe("unreachable");
    expect(failure.message).toMatch(/unreachable/);
  });

  it("forgets the token and signals sign-in on a 401", async () => {
    vi.stubGlobal("fetch", answer(401, { error: { code: "unauthorized", message: "missing or invalid bearer token", fields: [] } }));
    tokenStore.set("revoked-token-0123456789");
    const signedOut = vi.fn();
    const stop = onUnauthorized(signedOut);
    await unwrap(api.GET("/api/v1/session")).catch(() => undefined);
    stop();
    expect(signedOut).toHaveBeenCalledTimes(1);
    expect(tokenStore.get()).toBeNull();
  });
});
