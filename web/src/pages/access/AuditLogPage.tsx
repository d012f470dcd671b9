// The workspace's audit log (/audit-log, for holders of the admin scope):
// who (a user, an API key, the CLI) did what to which object, when and from
// which address — newest first, page by page (nextCursor), filtered by one
// action ("auth.login", "POST /api/agents", …).
import { type FormEvent, useMemo, useState } from "react";
import { query } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { PagedFrame, usePaged } from "../../lib/paged";
import { Badge, Field, PageHeader, TableHead } from "../../lib/ui";
import "./access.css";

export interface AuditEntry {
  id: string;
  actorType: "user" | "key" | "cli" | string;
  actorId: string;
  actorName: string;
  action: string;
  objectType: string;
  objectId: string;
  details: unknown;
  address: string;
  createdAt: string;
}

/** Actions the server records, offered as suggestions (any other exact action can be typed). */
const KNOWN_ACTIONS = [
  "auth.login",
  "auth.login_link",
  "auth.login_failed",
  "POST /api/members",
  "PATCH /api/members/{userId}",
  "DELETE /api/members/{userId}",
  "POST /api/keys",
  "DELETE /api/keys/{id}",
  "POST /api/agents",
  "PATCH /api/agents/{id}",
  "DELETE /api/agents/{id}",
  "PATCH /api/settings",
  "POST /api/live-calls/{id}/actions",
  "POST /api/workspaces",
  "PATCH /api/workspaces/{id}",
];

function detailsText(d: unknown): string {
  if (d === null || d === undefined) return "";
  if (typeof d === "object" && Object.keys(d as object).length === 0) return "";
  const s = JSON.stringify(d);
  return s.length > 160 ? s.slice(0, 159) + "…" : s;
}

export function AuditLogPage() {
  const [typed, setTyped] = useState("");
  const [action, setAction] = useState("");
  const list = usePaged<AuditEntry>(query("/api/audit-log", { limit: 50, action }));
  const suggestions = useMemo(() => Array.from(new Set([...KNOWN_ACTIONS, ...list.items.map((e) => e.action)])).sort(), [list.items]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setAction(typed.trim());
  };
  return (
    <>
      <PageHeader title="Audit log">
        <p className="muted">Sign-ins, keys, members, agents, settings and supervisor actions in this workspace, newest first.</p>
      </PageHeader>
      <form className="audit-filter" onSubmit={apply} role="search" aria-label="Filter the audit log">
        <Field label="Action" hint="An exact action, e.g. auth.login or POST /api/agents">
          {(id, d) => (
            <>
              <input id={id} aria-describedby={d} list="audit-actions" value={typed} onChange={(e) => setTyped(e.target.value)} />
              <datalist id="audit-actions">
                {suggestions.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <button type="submit" className="btn">
          Filter
        </button>
        {action && (
          <button type="button" className="btn" onClick={() => { setTyped(""); setAction(""); }}>
            Show all
          </button>
        )}
      </form>
      <PagedFrame list={list} what="the audit log" empty={action ? `Nothing recorded as “${action}”.` : "Nothing recorded yet."}>
        <div className="table-wrap">
          <table className="audit-table">
            <caption className="sr-only">Audit log{action ? `: ${action}` : ""}</caption>
            <TableHead columns={["When", "Who", "Action", "Object", "Address", "Details"]} />
            <tbody>
              {list.items.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{dateTime(e.createdAt)}</td>
                  <td>
                    {e.actorName || e.actorId || "—"} <Badge>{e.actorType}</Badge>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.objectType}
                    {e.objectId && <span className="muted"> {e.objectId}</span>}
                  </td>
                  <td>{e.address || <span className="muted">—</span>}</td>
                  <td className="audit-details">{detailsText(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </PagedFrame>
    </>
  );
}
