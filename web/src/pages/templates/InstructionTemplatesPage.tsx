// Instruction templates: list (own, public, system), create and edit an own
// template. The server checks every {{variable}}: an unknown or undeclared
// one comes back as 422 naming the field, shown beside it.
import { useState } from "react";
import { ApiError, del, patch, post, query } from "../../lib/api";
import { useCan, useSession } from "../../lib/session";
import { Badge, ErrorBanner, Field, PageHeader, TableHead } from "../../lib/ui";
import { PagedFrame, usePaged } from "../../lib/paged";

interface TemplateVariable {
  name: string;
  type: "string" | "number" | "date" | "boolean";
  default?: unknown;
  description?: string;
}

interface InstructionTemplate {
  id: string;
  workspaceId: string;
  name: string;
  content: string;
  variables: TemplateVariable[];
  category: string;
  isPublic: boolean;
  isSystem: boolean;
  usageCount: number;
  rating: number | null;
}

const VISIBILITIES: [string, string][] = [
  ["all", "All I can use"],
  ["own", "This workspace's"],
  ["private", "Private"],
  ["public", "Public"],
  ["system", "System"],
];

interface Draft {
  id: string | null;
  name: string;
  category: string;
  content: string;
  variables: string;
  isPublic: boolean;
}

const EMPTY: Draft = { id: null, name: "", category: "general", content: "", variables: "[]", isPublic: false };

function Editor({ draft, setDraft, onSaved }: { draft: Draft; setDraft: (d: Draft) => void; onSaved: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState("");

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setDone("");
    let variables: unknown;
    try {
      variables = JSON.parse(draft.variables || "[]");
    } catch {
      setError(new ApiError(422, "Invalid", "variables is not JSON", [{ field: "variables", message: "must be a JSON array" }]));
      return;
    }
    setBusy(true);
    const body = { name: draft.name.trim(), category: draft.category.trim() || "general", content: draft.content, variables, isPublic: draft.isPublic };
    try {
      const saved = draft.id
        ? await patch<InstructionTemplate>(`/api/instruction-templates/${encodeURIComponent(draft.id)}`, body)
        : await post<InstructionTemplate>("/api/instruction-templates", body);
      setDone(`${saved.name} was saved.`);
      setDraft(EMPTY);
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "Error", String(err), []));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: string) =>
    error ? Object.entries(error.fields).find(([f]) => f === name || f.startsWith(name + "["))?.[1] : undefined;
  const shownHere = error && ["name", "category", "content", "variables", "isPublic"].some((f) => fieldError(f));
  return (
    <form className="card" onSubmit={submit} aria-labelledby="templates-edit-title" noValidate>
      <h2 id="templates-edit-title">{draft.id ? `Edit ${draft.name}` : "New template"}</h2>
      {!shownHere && <ErrorBanner error={error} />}
      <Field label="Name" error={fieldError("name")}>
        {(id, describedBy) => (
          <input id={id} type="text" required maxLength={200} value={draft.name} aria-invalid={!!fieldError("name")}
            aria-describedby={describedBy} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        )}
      </Field>
      <Field label="Category" error={fieldError("category")}>
        {(id, describedBy) => (
          <input id={id} type="text" maxLength={100} value={draft.category} aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, category: e.target.value })} />
        )}
      </Field>
      <Field label="Instructions" error={fieldError("content")}
        hint="Variables: {{contact.name}}, {{contact.first_name}}, {{contact.phone}}, {{lead.<column>}}, {{campaign.name}}, {{agent.name}}, {{now:date}}, {{now:time}}, and your declared ones as {{vars.name}}.">
        {(id, describedBy) => (
          <textarea id={id} rows={8} required maxLength={20000} value={draft.content} aria-invalid={!!fieldError("content")}
            aria-describedby={describedBy} onChange={(e) => setDraft({ ...draft, content: e.target.value })} />
        )}
      </Field>
      <Field label="Declared variables (JSON)" error={fieldError("variables")}
        hint='For example [{"name": "offer", "type": "string", "default": "a free valuation"}]; types: string, number, date, boolean.'>
        {(id, describedBy) => (
          <textarea id={id} rows={4} value={draft.variables} aria-invalid={!!fieldError("variables")} aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, variables: e.target.value })} />
        )}
      </Field>
      <label>
        <input type="checkbox" checked={draft.isPublic} onChange={(e) => setDraft({ ...draft, isPublic: e.target.checked })} /> Public: every
        workspace on this server may use it
      </label>
      <div>
        <button type="submit" className="btn primary" disabled={busy || !draft.name.trim() || !draft.content.trim()}>
          {busy ? "Saving…" : "Save"}
        </button>{" "}
        {draft.id && (
          <button type="button" className="btn" onClick={() => setDraft(EMPTY)}>
            Cancel
          </button>
        )}
        <span role="status"> {done}</span>
      </div>
    </form>
  );
}

export function InstructionTemplatesPage() {
  const canWrite = useCan()("agents:write");
  const current = useSession().workspace?.id ?? "";
  const [visibility, setVisibility] = useState("all");
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [status, setStatus] = useState("");
  const list = usePaged<InstructionTemplate>(query("/api/instruction-templates", { limit: 50, visibility }));
  // Only this workspace's own, non-system templates may be changed (the server answers 404 / 409 otherwise).
  const own = (t: InstructionTemplate) => !t.isSystem && t.workspaceId === current;

  async function remove(t: InstructionTemplate) {
    try {
      await del(`/api/instruction-templates/${encodeURIComponent(t.id)}`);
      list.drop((x) => x.id !== t.id);
      setStatus(`${t.name} was deleted.`);
    } catch (err) {
      setStatus(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <div>
      <PageHeader title="Instruction templates">
        <p className="muted">
          An agent's instructions with variables filled in for each call. System templates ship with voqo and are read-only;
          public ones are shared with every workspace on this server.
        </p>
      </PageHeader>
      {canWrite && <Editor draft={draft} setDraft={setDraft} onSaved={() => list.reload()} />}
      <section className="card" aria-labelledby="templates-list-title">
        <h2 id="templates-list-title">Templates</h2>
        <Field label="Show">
          {(id) => (
            <select id={id} value={visibility} onChange={(e) => setVisibility(e.target.value)}>
              {VISIBILITIES.map(([v, label]) => (
                <option key={v} value={v}>{label}</option>
              ))}
            </select>
          )}
        </Field>
        <p role="status">{status}</p>
        <PagedFrame list={list} what="the instruction templates" empty="No template here yet.">
          <div className="table-wrap">
            <table aria-label="Instruction templates" aria-busy={list.loading}>
              <TableHead columns={["Name", "Category", "Kind", "Used", "Rating", ...(canWrite ? ["Actions"] : [])]} />
              <tbody>
                {list.items.map((t) => (
                  <tr key={t.id}>
                    <td title={t.content}>{t.name}</td>
                    <td>{t.category}</td>
                    <td>
                      {t.isSystem ? <Badge tone="info">System</Badge> : t.isPublic ? <Badge tone="good">Public</Badge> : <Badge>Private</Badge>}
                    </td>
                    <td>{t.usageCount}</td>
                    <td>{t.rating ?? <span className="muted">—</span>}</td>
                    {canWrite && (
                      <td>
                        {own(t) && (
                          <>
                            <button type="button" className="btn small" aria-label={`Edit ${t.name}`}
                              onClick={() => setDraft({ id: t.id, name: t.name, category: t.category, content: t.content,
                                variables: JSON.stringify(t.variables ?? [], null, 2), isPublic: t.isPublic })}>
                              Edit
                            </button>{" "}
                            <button type="button" className="btn small danger" aria-label={`Delete ${t.name}`} onClick={() => void remove(t)}>
                              Delete
                            </button>
                          </>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </PagedFrame>
      </section>
    </div>
  );
}
