// The REST client. Every call goes to the same origin (`voqo serve` serves the
// dashboard and /api). Errors are RFC 9457 problem+json: ApiError keeps the
// status, the detail and the per-field messages (`errors[].field/message`) so
// forms can show the API's own message beside the field it names.

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

const KEY_STORAGE = "voqo.apiKey";

/** The API key the user entered (only needed when the server was started with --api-key). */
export function apiKey(): string {
  return localStorage.getItem(KEY_STORAGE) ?? "";
}
export function setApiKey(key: string): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
  window.dispatchEvent(new Event("voqo-api-key"));
}

function authHeaders(): Record<string, string> {
  const k = apiKey();
  return k ? { Authorization: `Bearer ${k}` } : {};
}

/** Appends `?apiKey=` for the endpoints a browser cannot send headers to (WebSocket, <audio>). */
export function withKey(url: string): string {
  const k = apiKey();
  if (!k) return url;
  return url + (url.includes("?") ? "&" : "?") + "apiKey=" + encodeURIComponent(k);
}

async function toError(res: Response): Promise<ApiError> {
  let body: { title?: string; detail?: string; errors?: FieldProblem[] } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (res.status === 401) window.dispatchEvent(new Event("voqo-unauthorized"));
  return new ApiError(res.status, body.title ?? res.statusText, body.detail ?? "", body.errors ?? []);
}

/** Sends a JSON request; resolves with the parsed body (undefined for 204). Rejects with ApiError. */
export async function request<T>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      ...init,
      headers: {
        Accept: "application/json, application/problem+json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...authHeaders(),
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
      headers: { "Content-Type": "application/json", ...authHeaders() },
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
