// API keys of the current workspace (/keys, for holders of the admin scope):
// the list (name, the key's first characters, scopes, last use, expiry, rate
// limit, revocation), a form to create one (its secret is shown once, with a
// copy button: voqo keeps only its hash) and revocation (takes effect on the
// key's next request and closes its open WebSockets).
import { type FormEvent, useState } from "react";
import { ApiError, del, get, post } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { SCOPES, useSession, type Scope } from "../../lib/session";
import { Badge, Empty, ErrorBanner, Field, Loading, PageHeader, TableHead, unmatchedError } from "../../lib/ui";
import { ConfirmButton, OnceSecret } from "./parts";
import "./access.css";

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  expiresAt: string | null;
  rateLimitPerSecond: number | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  workspaceId: string;
}

interface CreatedKey extends ApiKey {
  key: string;
}

const SCOPE_HELP: Record<Scope, string> = {
  "agents:read": "read agents and their configurations",
  "agents:write": "create, change and delete agents",
  "calls:read": "read calls, recordings, contacts, SMS and webhooks",
  "calls:write": "place calls, change contacts",
  "campaigns:read": "read campaigns, uploads, jobs, do-not-call",
  "campaigns:write": "upload contacts, start and stop jobs",
  "live:read": "watch live calls and the realtime feed",
  "live:control": "supervisor actions on live calls",
  "settings:read": "read workspace settings",
  "settings:write": "change workspace settings",
  admin: "everything, including keys and the audit log",
};

function asError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []);
}

export function KeysPage() {
  const { workspace } = useSession();
  const keys = useAsync(() => get<{ items: ApiKey[] }>("/api/keys"), []);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const items = keys.data?.items ?? [];

  return (
    <>
      <PageHeader title="API keys">
        <p className="muted">
          Keys for programs that use the voqo API in {workspace ? <strong>{workspace.name}</strong> : "this workspace"}:{" "}
          send one as <code>Authorization: Bearer ak_…</code>.
        </p>
      </PageHeader>

      {created ? (
        <section className="card once-card" aria-labelledby="created-h">
          <h2 id="created-h">Key “{created.name}” created</h2>
          <p className="once-warning" role="alert">
            Copy the key now. <strong>You will not see it again</strong>: voqo keeps only its hash.
          </p>
          <OnceSecret label="The new API key" value={created.key} />
          <button type="button" className="btn" onClick={() => setCreated(null)}>
            Done, I copied it
          </button>
        </section>
      ) : (
        <CreateKeyForm onCreated={(k) => { setCreated(k); keys.reload(); }} />
      )}

      <h2>Keys</h2>
      <ErrorBanner error={keys.error} onRetry={keys.reload} />
      {keys.loading && !keys.data ? (
        <Loading what="Loading API keys" />
      ) : keys.data && items.length === 0 ? (
        <Empty>No API keys in this workspace yet.</Empty>
      ) : items.length > 0 ? (
        <div className="table-wrap">
          <table className="keys-table">
            <caption className="sr-only">API keys</caption>
            <TableHead columns={["Name", "Key", "Scopes", "Last used", "Expires", "Rate limit", "Status", "Actions"]} />
            <tbody>
              {items.map((k) => (
                <tr key={k.id} className={k.revokedAt ? "revoked" : undefined}>
                  <td>{k.name || <span className="muted">(no name)</span>}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td className="keys-scopes">{k.scopes.join(", ")}</td>
                  <td>{k.lastUsedAt ? dateTime(k.lastUsedAt) : <span className="muted">never</span>}</td>
                  <td>{k.expiresAt ? dateTime(k.expiresAt) : <span className="muted">never</span>}</td>
                  <td>{k.rateLimitPerSecond ? `${k.rateLimitPerSecond}/s` : <span className="muted">workspace’s</span>}</td>
                  <td>
                    {k.revokedAt ? (
                      <Badge tone="bad">revoked {dateTime(k.revokedAt)}</Badge>
                    ) : k.expiresAt && new Date(k.expiresAt) < new Date() ? (
                      <Badge tone="warn">expired</Badge>
                    ) : (
                      <Badge tone="good">active</Badge>
                    )}
                  </td>
                  <td>
                    {!k.revokedAt && (
                      <ConfirmButton
                        label={`Revoke key ${k.name || k.prefix}`}
                        title={`Revoke the key “${k.name || k.prefix}”?`}
                        body={<p>Programs using it are refused from their next request on, and its open connections close. This cannot be undone.</p>}
                        confirmLabel="Revoke"
                        run={async () => {
                          await del(`/api/keys/${encodeURIComponent(k.id)}`);
                          keys.reload();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (k: CreatedKey) => void }) {
  const { can } = useSession();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Set<Scope>>(new Set());
  const [expires, setExpires] = useState("");
  const [rate, setRate] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [local, setLocal] = useState<{ name?: string; scopes?: string; expiresAt?: string; rate?: string }>({});

  const toggle = (s: Scope, on: boolean) =>
    setScopes((old) => {
      const n = new Set(old);
      if (on) n.add(s);
      else n.delete(s);
      return n;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: typeof local = {};
    if (!name.trim()) problems.name = "required";
    if (scopes.size === 0) problems.scopes = "choose at least one scope";
    let expiresAt: string | undefined;
    if (expires) {
      const d = new Date(expires);
      if (Number.isNaN(d.getTime())) problems.expiresAt = "not a date and time";
      else expiresAt = d.toISOString();
    }
    let rateLimitPerSecond: number | undefined;
    if (rate.trim()) {
      rateLimitPerSecond = Number(rate);
      if (!Number.isFinite(rateLimitPerSecond) || rateLimitPerSecond <= 0) problems.rate = "a number of requests per second above 0";
    }
    setLocal(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { name: name.trim(), scopes: SCOPES.filter((s) => scopes.has(s)) };
      if (expiresAt) body.expiresAt = expiresAt;
      if (rateLimitPerSecond !== undefined) body.rateLimitPerSecond = rateLimitPerSecond;
      onCreated(await post<CreatedKey>("/api/keys", body));
      setName("");
      setScopes(new Set());
      setExpires("");
      setRate("");
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };

  const scopesError = local.scopes ?? error?.fields.scopes;
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="newkey-h">
      <h2 id="newkey-h">Create a key</h2>
      <Field label="Name" hint="What uses it, e.g. “CRM sync”" error={local.name ?? error?.fields.name}>
        {(id, d) => <input id={id} aria-describedby={d} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset className="keys-scopes-set" aria-describedby={scopesError ? "newkey-scopes-err" : undefined}>
        <legend>Scopes</legend>
        <div className="keys-scope-grid">
          {SCOPES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.has(s)} disabled={!can(s)} onChange={(e) => toggle(s, e.target.checked)} />
              <span>
                <code>{s}</code> <span className="muted small">{can(s) ? SCOPE_HELP[s] : "you do not hold this scope"}</span>
              </span>
            </label>
          ))}
        </div>
        {scopesError && (
          <small id="newkey-scopes-err" className="field-error" role="alert">
            {scopesError}
          </small>
        )}
      </fieldset>
      <div className="grid two">
        <Field label="Expires (optional)" hint="Leave empty for a key that does not expire" error={local.expiresAt ?? error?.fields.expiresAt}>
          {(id, d) => <input id={id} aria-describedby={d} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
        </Field>
        <Field label="Rate limit, requests per second (optional)" hint="Empty: the workspace's limit" error={local.rate ?? error?.fields.rateLimitPerSecond}>
          {(id, d) => <input id={id} aria-describedby={d} type="number" min="0" step="any" inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} />}
        </Field>
      </div>
      <ErrorBanner error={unmatchedError(error, ["name", "scopes", "expiresAt", "rateLimitPerSecond"])} />
      <button type="submit" className="btn primary" disabled={busy}>
        {busy ? "Creating…" : "Create key"}
      </button>
    </form>
  );
}
