// Who is signed in (GET /api/me) and in which workspace: loaded once when the
// shell mounts and again after a workspace switch. Pages ask `can(scope)` to
// hide what the user may not do (the server refuses it anyway: 403 naming
// "scope" or "role"); `isOwner` gates members and tiers.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { ApiError, post, request, setWorkspaceId, workspaceId } from "./api";

export type Role = "owner" | "admin" | "supervisor" | "viewer";
export type Scope =
  | "agents:read"
  | "agents:write"
  | "calls:read"
  | "calls:write"
  | "campaigns:read"
  | "campaigns:write"
  | "live:read"
  | "live:control"
  | "settings:read"
  | "settings:write"
  | "admin";

/** Every scope, in the order the API documents them (the key form lists them so). */
export const SCOPES: Scope[] = [
  "agents:read",
  "agents:write",
  "calls:read",
  "calls:write",
  "campaigns:read",
  "campaigns:write",
  "live:read",
  "live:control",
  "settings:read",
  "settings:write",
  "admin",
];

export interface Limits {
  [name: string]: number | boolean | null;
}

export interface Workspace {
  id: string;
  name: string;
  tier: "free" | "starter" | "premium" | "enterprise";
  role?: Role;
  limits?: Limits;
  effectiveLimits?: Limits;
  createdAt?: string;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
  hasPassword: boolean;
}

export interface Me {
  kind: "user" | "key";
  actor: string;
  role: Role | null;
  scopes: Scope[];
  user?: User;
  key?: { id: string; name: string };
  workspace: Workspace | null;
  workspaces: Workspace[];
}

export interface Session {
  me: Me;
  /** The workspace the dashboard acts in (null: the user belongs to none). */
  workspace: Workspace | null;
  can: (scope: Scope) => boolean;
  isOwner: boolean;
  /** Makes `id` the workspace of every following request and reloads who-am-I. */
  switchWorkspace: (id: string) => Promise<void>;
  /** Re-reads /api/me (after a workspace was created or renamed). */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside <SessionProvider>");
  return s;
}

/** `can(scope)` of the signed-in user in the current workspace. */
export function useCan(): (scope: Scope) => boolean {
  return useSession().can;
}

/**
 * Reads /api/me, then settles the workspace: the stored choice when it is one
 * of the user's, else their first. A stored id of a workspace the user left
 * would make every request 404, so /api/me is first asked without it.
 */
async function loadMe(): Promise<Me> {
  const wanted = workspaceId();
  const me = await request<Me>("GET", "/api/me", undefined, { workspace: "" });
  const ids = me.workspaces.map((w) => w.id);
  const chosen = ids.includes(wanted) ? wanted : (ids[0] ?? "");
  setWorkspaceId(chosen);
  if (chosen && me.workspace?.id !== chosen) return request<Me>("GET", "/api/me", undefined, { workspace: chosen });
  return me;
}

/**
 * Provides the session to the shell and its pages. Renders `loading` until
 * /api/me answers; a 401 (not signed in) is handled by the shell, which goes
 * to /login.
 */
export function SessionProvider({ children, loading, failed }: {
  children: (session: Session) => ReactNode;
  loading: ReactNode;
  failed: (error: ApiError, retry: () => void) => ReactNode;
}) {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  const refresh = useCallback(async () => {
    try {
      setMe(await loadMe());
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []));
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh, attempt]);

  const switchWorkspace = useCallback(
    async (id: string) => {
      setWorkspaceId(id);
      await refresh();
    },
    [refresh],
  );
  const signOut = useCallback(async () => {
    try {
      await post<void>("/api/auth/logout");
    } finally {
      location.assign("/login");
    }
  }, []);

  if (!me) return <>{error && error.status !== 401 ? failed(error, () => setAttempt((a) => a + 1)) : loading}</>;
  const scopes = new Set(me.scopes);
  const session: Session = {
    me,
    workspace: me.workspace,
    can: (s) => scopes.has(s),
    isOwner: me.role === "owner",
    switchWorkspace,
    refresh,
    signOut,
  };
  return <SessionContext.Provider value={session}>{children(session)}</SessionContext.Provider>;
}
