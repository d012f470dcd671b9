// Members of the current workspace (/members): everyone in it sees the table;
// an owner invites (a new user gets a one-time set-password link, shown once
// with a copy button), changes roles and removes members. The API refuses to
// remove or demote the last owner (409 naming "role"), shown beside the row.
import { type FormEvent, useState } from "react";
import { ApiError, del, get, patch, post } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { useSession, type Role } from "../../lib/session";
import { Badge, ErrorBanner, Field, Loading, PageHeader, TableHead, unmatchedError } from "../../lib/ui";
import { ConfirmButton, OnceSecret } from "./parts";
import "./access.css";

export interface Member {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

interface Invited {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  setPasswordUrl: string | null;
  setPasswordExpiresAt?: string;
}

export const ROLES: Role[] = ["owner", "admin", "supervisor", "viewer"];

const ROLE_HELP: Record<Role, string> = {
  owner: "everything, plus members and the plan",
  admin: "agents, campaigns, settings, API keys",
  supervisor: "reads everything, controls live calls",
  viewer: "reads everything",
};

function asError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []);
}

export function MembersPage() {
  const { isOwner, me, workspace } = useSession();
  const members = useAsync(() => get<{ items: Member[] }>("/api/members"), []);
  const [invited, setInvited] = useState<Invited | null>(null);
  const [rowError, setRowError] = useState<{ userId: string; error: ApiError } | null>(null);

  const changeRole = async (m: Member, role: Role) => {
    setRowError(null);
    try {
      await patch(`/api/members/${encodeURIComponent(m.userId)}`, { role });
      members.reload();
    } catch (e) {
      setRowError({ userId: m.userId, error: asError(e) });
    }
  };

  return (
    <>
      <PageHeader title="Members">
        <p className="muted">
          Who can use the workspace {workspace ? <strong>{workspace.name}</strong> : null} and with which role.
          {!isOwner && " Only an owner invites, changes roles and removes members."}
        </p>
      </PageHeader>

      {isOwner && <InviteForm onInvited={(i) => { setInvited(i); members.reload(); }} />}
      {invited && (
        <section className="card once-card" aria-labelledby="invited-h">
          <h2 id="invited-h">
            {invited.email} is now {invited.role === "admin" || invited.role === "owner" ? "an" : "a"} {invited.role}
          </h2>
          {invited.setPasswordUrl ? (
            <>
              <p>
                Send them this link to choose a password. <strong>It is shown only once</strong> and works once
                {invited.setPasswordExpiresAt ? `, until ${dateTime(invited.setPasswordExpiresAt)}` : ""}.
              </p>
              <OnceSecret label="Set-password link" value={invited.setPasswordUrl} />
            </>
          ) : (
            <p>They already have a password: they can sign in now and pick this workspace.</p>
          )}
          <button type="button" className="btn" onClick={() => setInvited(null)}>
            Done
          </button>
        </section>
      )}

      <ErrorBanner error={members.error} onRetry={members.reload} />
      {members.loading && !members.data ? (
        <Loading what="Loading members" />
      ) : members.data ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Members</caption>
            <TableHead columns={["Email", "Name", "Role", "Status", "Member since", ...(isOwner ? ["Actions"] : [])]} />
            <tbody>
              {members.data.items.map((m) => (
                <tr key={m.userId}>
                  <td>
                    {m.email}
                    {m.userId === me.user?.id && <span className="muted"> (you)</span>}
                  </td>
                  <td>{m.displayName || <span className="muted">—</span>}</td>
                  <td>
                    {isOwner ? (
                      <>
                        <label className="sr-only" htmlFor={`role-${m.userId}`}>
                          Role of {m.email}
                        </label>
                        <select id={`role-${m.userId}`} value={m.role} onChange={(e) => void changeRole(m, e.target.value as Role)}>
                          {ROLES.map((r) => (
                            <option key={r} value={r}>
                              {r}
                            </option>
                          ))}
                        </select>
                      </>
                    ) : (
                      <Badge tone={m.role === "owner" ? "info" : "neutral"}>{m.role}</Badge>
                    )}
                    {rowError?.userId === m.userId && (
                      <small className="field-error block" role="alert">
                        {rowError.error.fields.role ?? rowError.error.message}
                      </small>
                    )}
                  </td>
                  <td>{m.disabled ? <Badge tone="bad">disabled</Badge> : <Badge tone="good">active</Badge>}</td>
                  <td>{dateTime(m.createdAt)}</td>
                  {isOwner && (
                    <td>
                      <ConfirmButton
                        label={`Remove ${m.email}`}
                        title={`Remove ${m.email}?`}
                        body={<p>They lose access to this workspace at once. Their account and other workspaces stay.</p>}
                        confirmLabel="Remove"
                        run={async () => {
                          await del(`/api/members/${encodeURIComponent(m.userId)}`);
                          members.reload();
                        }}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="muted small">
        Roles: {ROLES.map((r) => `${r} (${ROLE_HELP[r]})`).join("; ")}.
      </p>
    </>
  );
}

function InviteForm({ onInvited }: { onInvited: (i: Invited) => void }) {
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { email: email.trim(), role };
      if (displayName.trim()) body.displayName = displayName.trim();
      onInvited(await post<Invited>("/api/members", body));
      setEmail("");
      setDisplayName("");
      setRole("viewer");
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="invite-h">
      <h2 id="invite-h">Invite a member</h2>
      <div className="grid three">
        <Field label="Email" error={error?.fields.email}>
          {(id, d) => <input id={id} aria-describedby={d} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Display name" hint="Optional" error={error?.fields.displayName}>
          {(id, d) => <input id={id} aria-describedby={d} autoComplete="off" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        <Field label="Role" error={error?.fields.role} hint={ROLE_HELP[role]}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorBanner error={unmatchedError(error, ["email", "displayName", "role"])} />
      <button type="submit" className="btn primary" disabled={busy}>
        {busy ? "Inviting…" : "Invite"}
      </button>
    </form>
  );
}
