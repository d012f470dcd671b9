// One agent: its stats, its configuration by wizard step, the configuration
// version history with rollback, its custom functions, and delete.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, del, get, post, type Page } from "../../lib/api";
import { dateTime, duration, percent } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { useCan } from "../../lib/session";
import { Badge, Empty, ErrorBanner, LoadFailed, Loading, PageHeader, toneOf } from "../../lib/ui";
import { ConfirmButton, label, show } from "./parts";
import { AGENT_FIELDS, AGENT_RULES, STEPS } from "./rules";
import type { Agent, AgentConfiguration, CustomFunction } from "./types";

const ENUM_FIELDS = new Set(["purpose", "template", "voiceStyle"]);

function display(key: string, v: unknown): string {
  if (ENUM_FIELDS.has(key) && typeof v === "string") return label(v);
  return show(v);
}

export function AgentDetailPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const path = `/api/agents/${encodeURIComponent(id)}`;
  const agent = useAsync(() => get<Agent>(path), [path]);
  const versions = useAsync(() => get<Page<AgentConfiguration>>(`${path}/configurations`), [path]);
  const functions = useAsync(() => get<Page<CustomFunction>>(`${path}/functions?limit=500`), [path]);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const canWrite = useCan()("agents:write");

  if (agent.error && !agent.data)
    return <LoadFailed title="Agent" error={agent.error} onRetry={agent.reload} back={["/agents", "Back to agents"]} />;
  if (!agent.data) return <Loading what="Loading the agent" />;
  const a = agent.data;

  const rollback = async (version: number) => {
    setActionError(null);
    setNotice(null);
    try {
      agent.setData(await post<Agent>(`${path}/configurations/${version}/activate`));
      versions.reload();
      setNotice(`Rolled back to version ${version}.`);
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const remove = async () => {
    setActionError(null);
    try {
      await del(path);
      navigate("/agents");
    } catch (e) {
      setActionError(e as ApiError);
    }
  };

  return (
    <div className="agents-detail">
      <PageHeader
        title={a.name}
        actions={
          canWrite ? (
            <>
              <Link className="btn primary" to={`/agents/${a.id}/edit`}>
                Edit
              </Link>
              <ConfirmButton label="Delete agent" question={`Delete ${a.name}?`} confirmLabel="Delete" danger onConfirm={remove} />
            </>
          ) : undefined
        }
      >
        <p>
          <Badge tone={toneOf(a.status)}>{a.status}</Badge> {!a.enabled && <Badge tone="warn">disabled</Badge>}{" "}
          <span className="muted">
            {label(a.purpose)}
            {a.purpose === "custom" && a.customPurpose ? `: ${a.customPurpose}` : ""} · created {dateTime(a.createdAt)}
          </span>
        </p>
        {a.description && <p>{a.description}</p>}
      </PageHeader>
      <Link to="/agents">← All agents</Link>
      <ErrorBanner error={actionError} />
      {notice && (
        <p className="agents-notice" role="status">
          {notice}
        </p>
      )}

      <section className="grid four agents-stats" aria-label="Statistics">
        <Stat label="Total calls" value={String(a.totalCalls)} />
        <Stat label="Success rate" value={a.totalCalls ? percent(a.successRate) : "—"} />
        <Stat label="Average duration" value={a.totalCalls ? duration(a.avgCallDurationS) : "—"} />
        <Stat label="Satisfaction" value={a.satisfactionRating === null ? "—" : `${a.satisfactionRating.toFixed(1)} / 5`} />
      </section>
      <p className="muted">Last active: {dateTime(a.lastActiveAt)}</p>

      <section className="card" aria-labelledby="agents-config-title">
        <h2 id="agents-config-title">Configuration</h2>
        <div className="grid two">
          {STEPS.map((title, step) => (
            <div key={title}>
              <h3>{title}</h3>
              <dl className="agents-dl">
                {AGENT_FIELDS.filter((k) => AGENT_RULES[k].step === step && k !== "name").map((k) => (
                  <div key={k} className={k === "systemPrompt" ? "wide" : undefined}>
                    <dt>{AGENT_RULES[k].label}</dt>
                    <dd data-field={k}>{display(k, a[k])}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))}
        </div>
      </section>

      <section className="card" aria-labelledby="agents-versions-title">
        <h2 id="agents-versions-title">Configuration versions</h2>
        <ErrorBanner error={versions.error} onRetry={versions.reload} />
        {versions.loading && !versions.data ? (
          <Loading what="Loading versions" />
        ) : versions.data ? (
          <Versions items={versions.data.items} onRollback={canWrite ? rollback : undefined} />
        ) : null}
      </section>

      <section className="card" aria-labelledby="agents-functions-list-title">
        <h2 id="agents-functions-list-title">Custom functions</h2>
        <ErrorBanner error={functions.error} onRetry={functions.reload} />
        {functions.loading && !functions.data ? (
          <Loading what="Loading functions" />
        ) : functions.data && functions.data.items.length === 0 ? (
          <Empty>
            No custom functions.{canWrite && <> <Link to={`/agents/${a.id}/edit`}>Add one in the wizard</Link>.</>}
          </Empty>
        ) : functions.data ? (
          <div className="table-wrap">
            <table>
              <caption className="agents-sr">Custom functions</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Request</th>
                  <th scope="col">Auth</th>
                  <th scope="col" className="num">Timeout</th>
                  <th scope="col">Enabled</th>
                </tr>
              </thead>
              <tbody>
                {functions.data.items.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <code>{f.name}</code>
                    </td>
                    <td>{f.description}</td>
                    <td className="agents-break">
                      <code>{f.method}</code> {f.endpoint}
                    </td>
                    <td>{f.authType === "api_key" ? "API key" : label(f.authType)}</td>
                    <td className="num">{f.timeout} s</td>
                    <td>{f.enabled ? "Yes" : "No"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="card">
      <div className="stat">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

/** What changed from the previous version: "Greeting message: — → Hello". */
function changes(cur: AgentConfiguration, prev: AgentConfiguration | undefined): string[] {
  if (!prev) return [];
  const keys = new Set([...Object.keys(cur.configuration), ...Object.keys(prev.configuration)]);
  const out: string[] = [];
  for (const k of keys) {
    const a = prev.configuration[k];
    const b = cur.configuration[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const name = (AGENT_RULES as Record<string, { label: string }>)[k]?.label ?? k;
    const short = (v: unknown) => {
      const s = display(k, v);
      return s.length > 40 ? s.slice(0, 39) + "…" : s;
    };
    out.push(`${name}: ${short(a)} → ${short(b)}`);
  }
  return out;
}

/** `onRollback` undefined: the user may not change agents (no rollback buttons). */
function Versions({ items, onRollback }: { items: AgentConfiguration[]; onRollback?: (version: number) => Promise<void> }) {
  if (items.length === 0) return <Empty>No configuration versions.</Empty>;
  const byVersion = [...items].sort((x, y) => x.version - y.version);
  return (
    <div className="table-wrap">
      <table>
        <caption className="agents-sr">Configuration versions</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col">Changes</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="agents-sr">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...byVersion].reverse().map((c) => {
            const diff = changes(c, byVersion[byVersion.indexOf(c) - 1]);
            return (
              <tr key={c.id} className={c.isActive ? "agents-active-row" : undefined}>
                <th scope="row">v{c.version}</th>
                <td>{dateTime(c.createdAt)}</td>
                <td>
                  {c.version === 1 && diff.length === 0 ? (
                    <span className="muted">Initial configuration</span>
                  ) : diff.length === 0 ? (
                    <span className="muted">No configuration change</span>
                  ) : (
                    <ul className="agents-changes">
                      {diff.map((d) => (
                        <li key={d}>{d}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>{c.isActive ? <Badge tone="good">Active</Badge> : null}</td>
                <td>
                  {!c.isActive && onRollback && (
                    <ConfirmButton
                      small
                      label={`Roll back to version ${c.version}`}
                      question={`Make version ${c.version} the active configuration?`}
                      confirmLabel="Roll back"
                      onConfirm={() => onRollback(c.version)}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
