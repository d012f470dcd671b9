// The REST client. Every call goes to the same origin (`voqo serve` serves the
// dashboard and /api) with the session cookie sign-in set (HttpOnly: the page
// never sees it) and the chosen workspace as X-Workspace-Id. A 401 (no or an
// expired session) sends the shell to /login. Errors are RFC 9457
// problem+json: ApiError keeps the status, the detail and the per-field
// messages (`errors[].field/message`) so forms can show the API's own message
// beside the field it names.

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly fields: Record<string, string>;
  constructor(status: number, title: string, detail: string, fields: FieldProblem[]) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.fields = {};
    for (const f of fields) if (!(f.field in this.fields)) this.fields[f.field] = f.message;
  }
}

/** A page of a list endpoint: `{items, nextCursor}` (newest first). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const WORKSPACE_STORAGE = "voqo.workspace";

/**
 * The workspace the dashboard acts in: sent as `X-Workspace-Id` on every
 * request (a signed-in user may belong to several). Kept in localStorage so a
 * reload stays in it; session.tsx checks it against /api/me's workspaces and
 * falls back to the first.
 */
export function workspaceId(): string {
  return localStorage.getItem(WORKSPACE_STORAGE) ?? "";
}
export function setWorkspaceId(id: string): void {
  if (id) localStorage.setItem(WORKSPACE_STORAGE, id);
  else localStorage.removeItem(WORKSPACE_STORAGE);
}

function workspaceHeaders(override?: string): Record<string, string> {
  const w = override ?? workspaceId();
  return w ? { "X-Workspace-Id": w } : {};
}

async function toError(res: Response): Promise<ApiError> {
  let body: { title?: string; detail?: string; errors?: FieldProblem[] } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  // The session ended (expired, signed out elsewhere): the shell goes to /login.
  // A refused sign-in is the login form's own business.
  if (res.status === 401 && !new URL(res.url || location.href, location.href).pathname.startsWith("/api/auth/"))
    window.dispatchEvent(new Event("voqo-unauthorized"));
  return new ApiError(res.status, body.title ?? res.statusText, body.detail ?? "", body.errors ?? []);
}

export interface RequestOptions extends RequestInit {
  /** The workspace to act in instead of the chosen one ("" = none: the user's first). */
  workspace?: string;
}

/** Sends a JSON request; resolves with the parsed body (undefined for 204). Rejects with ApiError. */
export async function request<T>(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
  const { workspace, ...init } = opts ?? {};
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      ...init,
      headers: {
        Accept: "application/json, application/problem+json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...workspaceHeaders(workspace),
        ...(init?.headers as Record<string, string> | undefined),
      },
      body: body !== undefined ? JSON.stringify(body) : init?.body,
    });
  } catch (e) {
    throw new ApiError(0, "Network error", `cannot reach the voqo server: ${(e as Error).message}`, []);
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  return (type.includes("json") ? await res.json() : await res.text()) as T;
}

export const get = <T>(path: string) => request<T>("GET", path);
export const post = <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {});
export const patch = <T>(path: string, body: unknown) => request<T>("PATCH", path, body);
export const put = <T>(path: string, body: unknown) => request<T>("PUT", path, body);
export const del = <T>(path: string) => request<T>("DELETE", path);

/** Sends a raw body (a CSV file) and parses the JSON answer. */
export async function upload<T>(path: string, file: Blob, contentType = "text/csv"): Promise<T> {
  return request<T>("POST", path, undefined, { body: file, headers: { "Content-Type": contentType } });
}

/** Fetches binary content (a TTS preview) as a Blob. */
export async function postForBlob(path: string, body: unknown): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", ...workspaceHeaders() },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "Network error", `cannot reach the voqo server: ${(e as Error).message}`, []);
  }
  if (!res.ok) throw await toError(res);
  return res.blob();
}

/** Builds `path?k=v&…`, leaving out empty values. */
export function query(path: string, params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The resources a ticket can be issued for (the browser cannot set headers on them). */
export type TicketResource = "/api/realtime" | "/api/realtime/events" | `/api/calls/${string}/recording` | `/api/live-calls/${string}/audio`;

/**
 * A short-lived ticket (POST /api/tickets, valid 60 s) for exactly `resource`:
 * the WebSocket, SSE stream and <audio> element authenticate with `?ticket=`
 * instead of a credential in the URL.
 */
export async function ticket(resource: TicketResource): Promise<string> {
  const t = await post<{ ticket: string; expiresAt: string; resource: string }>("/api/tickets", { resource });
  return t.ticket;
}

/** `resource?ticket=…` with a fresh ticket. */
export async function withTicket(resource: TicketResource): Promise<string> {
  return `${resource}${resource.includes("?") ? "&" : "?"}ticket=${encodeURIComponent(await ticket(resource))}`;
}
