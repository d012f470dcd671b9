// The sidebar's workspace switcher: a labelled <select> of the user's
// workspaces with their role in each; switching makes it the X-Workspace-Id of
// every request and remounts the pages (they reload their data). "New
// workspace" creates one (the creator is its owner) and switches to it.
import { type FormEvent, useState } from "react";
import { ApiError, post } from "../../lib/api";
import { useSession, type Workspace } from "../../lib/session";

export function WorkspaceSwitcher() {
  const { me, workspace, switchWorkspace } = useSession();
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const w = await post<Workspace>("/api/workspaces", { name: name.trim() });
      setAdding(false);
      setName("");
      await switchWorkspace(w.id);
    } catch (err) {
      setError(err instanceof ApiError ? (err.fields.name ?? err.message) : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="ws-switcher">
      {me.workspaces.length > 0 && (
        <>
          <label htmlFor="ws-select">Workspace</label>
          <select id="ws-select" value={workspace?.id ?? ""} onChange={(e) => void switchWorkspace(e.target.value)}>
            {me.workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
                {w.role ? ` (${w.role})` : ""}
              </option>
            ))}
          </select>
        </>
      )}
      {me.kind === "user" &&
        (adding ? (
          <form onSubmit={create} className="ws-new" aria-label="New workspace">
            <label htmlFor="ws-new-name">New workspace name</label>
            <input
              id="ws-new-name"
              value={name}
              autoFocus
              aria-describedby={error ? "ws-new-err" : undefined}
              aria-invalid={error ? true : undefined}
              onChange={(e) => setName(e.target.value)}
            />
            {error && (
              <small id="ws-new-err" className="ws-error" role="alert">
                {error}
              </small>
            )}
            <div className="ws-new-actions">
              <button type="submit" className="btn small primary" disabled={busy}>
                Create
              </button>
              <button type="button" className="btn small" onClick={() => { setAdding(false); setError(null); }}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <button type="button" className="btn small ws-add" onClick={() => setAdding(true)}>
            New workspace
          </button>
        ))}
    </div>
  );
}
