import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, onUnauthorized, tokenStore, unwrap, type Schemas } from "./api/client";

type Session = {
  token: string | null;
  signIn: (token: string) => void;
  signOut: () => void;
};

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => tokenStore.get());
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onUnauthorized(() => {
        setToken(null);
        queryClient.clear();
      }),
    [queryClient],
  );
  const session: Session = {
    token,
    signIn(next) {
      tokenStore.set(next);
      setToken(next);
    },
    signOut() {
      tokenStore.clear();
      setToken(null);
      queryClient.clear();
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** What the token may do (GET /api/v1/session). */
export function useRole(): { canWrite: boolean; role: Schemas["Role"] | undefined } {
  const { token } = useSession();
  const query = useQuery({
    queryKey: ["session", token],
    queryFn: () => unwrap(api.GET("/api/v1/session")),
    enabled: !!token,
    staleTime: Infinity,
  });
  return { canWrite: query.data?.canWrite ?? false, role: query.data?.role };
}
