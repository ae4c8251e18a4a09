// The REST client, typed from the generated OpenAPI schema (src/api/schema.d.ts).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** Where the bearer token lives: this tab's sessionStorage (never localStorage, never a URL). */
const TOKEN_KEY = "qlosync.token";

export const tokenStore = {
  get(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever the api answers 401: the token is gone or wrong, back to sign-in. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = tokenStore.get();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      tokenStore.clear();
      unauthorizedListeners.forEach((l) => l());
    }
    return response;
  },
};

// same origin; `fetch` is looked up per call so tests can stand in for the network
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "", fetch: (request) => globalThis.fetch(request) });
api.use(auth);

/** An error body of the api, or a network failure, in words. */
export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly fields: { field: string; problem: string }[] = [],
  ) {
    super(message);
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of an openapi-fetch result, or throws an ApiFailure saying what went wrong. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiFailure("The api is unreachable: check that qlosync's api is running.", 0, "unreachable");
  }
  if (result.response.ok) return result.data as T;
  const body = result.error as Schemas["ErrorBody"] | undefined;
  const detail = body?.error;
  const fields = detail?.fields ?? [];
  const words =
    detail?.message ??
    (result.response.status === 502 || result.response.status === 504
      ? "The api is unreachable."
      : `Request failed (HTTP ${result.response.status}).`);
  const withFields = fields.length
    ? `${words}: ${fields.map((f) => `${f.field} ${f.problem}`).join("; ")}`
    : words;
  throw new ApiFailure(withFields, result.response.status, detail?.code ?? "http", fields);
}
