// Downloads an authenticated file (a CSV export) the way the browser would
// follow a link, but with the chosen workspace's X-Workspace-Id header: the
// session cookie alone would export from the user's first workspace.
import { ApiError, workspaceId } from "./api";

/** Fetches `path` (same-origin, cookie session + X-Workspace-Id) and saves it as `filename`. Rejects with ApiError. */
export async function download(path: string, filename: string): Promise<void> {
  const w = workspaceId();
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin", headers: w ? { "X-Workspace-Id": w } : {} });
  } catch (e) {
    throw new ApiError(0, "Network error", `cannot reach the voqo server: ${(e as Error).message}`, []);
  }
  if (!res.ok) {
    let detail = res.statusText;
    try {
      detail = ((await res.json()) as { detail?: string }).detail ?? detail;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, "Download failed", detail, []);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
