// The agents list: status, totals, success rate, average duration and the
// active configuration version of each agent.
import { useState } from "react";
import { Link } from "react-router";
import { get, query, type Page } from "../../lib/api";
import { duration, percent } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { useCan } from "../../lib/session";
import { Badge, Empty, ErrorBanner, Field, Loading, PageHeader, toneOf } from "../../lib/ui";
import { label } from "./parts";
import type { Agent, AgentConfiguration, AgentStatus } from "./types";

const STATUSES: AgentStatus[] = ["active", "idle", "offline", "configuring", "error"];

export function AgentsPage() {
  const [status, setStatus] = useState("");
  const canWrite = useCan()("agents:write");
  const [pages, setPages] = useState<Agent[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useAsync(async () => {
    const p = await get<Page<Agent>>(query("/api/agents", { status, limit: 50 }));
    setPages([p.items]);
    setCursor(p.nextCursor);
    return p;
  }, [status]);
  const [more, setMore] = useState<{ loading: boolean; error: Error | null }>({ loading: false, error: null });
  const loadMore = async () => {
    if (!cursor) return;
    setMore({ loading: true, error: null });
    try {
      const p = await get<Page<Agent>>(query("/api/agents", { status, limit: 50, cursor }));
      setPages((ps) => [...ps, p.items]);
      setCursor(p.nextCursor);
      setMore({ loading: false, error: null });
    } catch (e) {
      setMore({ loading: false, error: e as Error });
    }
  };
  const agents = pages.flat();

  return (
    <>
      <PageHeader
        title="Agents"
        actions={
          canWrite ? (
            <Link className="btn primary" to="/agents/new">
              Create agent
            </Link>
          ) : undefined
        }
      >
        <p className="muted">Voice agents, their call totals and their active configuration.</p>
      </PageHeader>
      <div className="agents-filters">
        <Field label="Status">
          {(id) => (
            <select id={id} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">All</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {label(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorBanner error={first.error} onRetry={first.reload} />
      {first.loading && !first.data ? (
        <Loading what="Loading agents" />
      ) : !first.error && agents.length === 0 ? (
        <Empty>
          {status ? `No ${status} agents.` : "No agents yet."}
          {canWrite && (
            <>
              {" "}
              <Link to="/agents/new">Create the first one</Link>.
            </>
          )}
        </Empty>
      ) : agents.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="agents-sr">Agents</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Purpose</th>
                <th scope="col" className="num">Total calls</th>
                <th scope="col" className="num">Success rate</th>
                <th scope="col" className="num">Avg duration</th>
                <th scope="col">Configuration</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/agents/${a.id}`}>{a.name}</Link>
                    {!a.enabled && (
                      <>
                        {" "}
                        <Badge>disabled</Badge>
                      </>
                    )}
                  </td>
                  <td>
                    <Badge tone={toneOf(a.status)}>{a.status}</Badge>
                  </td>
                  <td>{a.purpose === "custom" && a.customPurpose ? <span title={a.customPurpose}>Custom: {truncate(a.customPurpose, 40)}</span> : label(a.purpose)}</td>
                  <td className="num">{a.totalCalls}</td>
                  <td className="num">{a.totalCalls ? percent(a.successRate) : "—"}</td>
                  <td className="num">{a.totalCalls ? duration(a.avgCallDurationS) : "—"}</td>
                  <td>
                    <ActiveVersion agentId={a.id} updatedAt={a.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {cursor && (
        <p>
          <button type="button" className="btn" disabled={more.loading} onClick={loadMore}>
            {more.loading ? "Loading…" : "Load more"}
          </button>
        </p>
      )}
      <ErrorBanner error={more.error} onRetry={loadMore} />
    </>
  );
}

function truncate(s: string, n: number) {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/** "v3" — the agent's active configuration version (one request per row). */
function ActiveVersion({ agentId, updatedAt }: { agentId: string; updatedAt: string }) {
  const v = useAsync(() => get<Page<AgentConfiguration>>(`/api/agents/${agentId}/configurations`), [agentId, updatedAt]);
  if (v.error) return <span className="muted" title={v.error.message}>unavailable</span>;
  if (!v.data) return <span className="muted">…</span>;
  const active = v.data.items.find((c) => c.isActive);
  return active ? <span>v{active.version}</span> : <span className="muted">—</span>;
}
