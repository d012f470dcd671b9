// /calls: every finished call, newest first, with filters kept in the URL
// (?agentId=&status=&outcome=&from=&to=&phone=) so a filtered view can be linked.
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { get, query, type Page } from "../../lib/api";
import { useAsync } from "../../lib/hooks";
import { Badge, Empty, Field, PageHeader, TableHead, toneOf } from "../../lib/ui";
import { dateTime, duration, titleCase } from "../../lib/format";
import { PagedFooter, usePaged } from "../../lib/paged";
import { CALL_OUTCOMES, CALL_STATUSES, otherParty, type AgentRef, type Call } from "./types";

const FILTERS = ["agentId", "status", "outcome", "from", "to", "phone"] as const;

/** Local midnight of a YYYY-MM-DD date plus `days`, as ISO-8601 UTC (the API's `from`/`to`). */
function localDay(date: string, days = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).toISOString();
}

/** Agents by id, for names in lists and the agent filter. */
export function useAgents() {
  return useAsync(() => get<Page<AgentRef>>("/api/agents?limit=500").then((p) => p.items), []);
}

export function CallsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const f = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ""])) as Record<(typeof FILTERS)[number], string>;
  const [phone, setPhone] = useState(f.phone);
  useEffect(() => setPhone(f.phone), [f.phone]);

  const agents = useAgents();
  const agentName = useMemo(() => new Map((agents.data ?? []).map((a) => [a.id, a.name])), [agents.data]);

  const path = query("/api/calls", {
    limit: 50,
    agentId: f.agentId,
    status: f.status,
    outcome: f.outcome,
    phone: f.phone,
    from: f.from ? localDay(f.from) : undefined,
    // `to` is exclusive in the API; the picker's day is inclusive.
    to: f.to ? localDay(f.to, 1) : undefined,
  });
  const calls = usePaged<Call>(path);
  const fieldErr = calls.error?.fields ?? {};

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const anyFilter = FILTERS.some((k) => f[k]);

  return (
    <>
      <PageHeader title="Calls">
        <p className="muted">Finished calls, newest first. Filters are kept in the address, so a filtered view can be shared.</p>
      </PageHeader>

      <form
        className="card hist-filters"
        aria-label="Filter calls"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter("phone", phone.trim());
        }}
      >
        <Field label="Agent">
          {(id) => (
            <select id={id} value={f.agentId} onChange={(e) => setFilter("agentId", e.target.value)}>
              <option value="">All agents</option>
              {(agents.data ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
              {f.agentId && agents.data && !agentName.has(f.agentId) && <option value={f.agentId}>{f.agentId}</option>}
            </select>
          )}
        </Field>
        <Field label="Status" error={fieldErr.status}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={f.status} onChange={(e) => setFilter("status", e.target.value)}>
              <option value="">Any status</option>
              {CALL_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {titleCase(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Outcome" error={fieldErr.outcome}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={f.outcome} onChange={(e) => setFilter("outcome", e.target.value)}>
              <option value="">Any outcome</option>
              {CALL_OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From date" error={fieldErr.from}>
          {(id, d) => (
            <input id={id} type="date" aria-describedby={d} value={f.from} max={f.to || undefined} onChange={(e) => setFilter("from", e.target.value)} />
          )}
        </Field>
        <Field label="To date" error={fieldErr.to}>
          {(id, d) => (
            <input id={id} type="date" aria-describedby={d} value={f.to} min={f.from || undefined} onChange={(e) => setFilter("to", e.target.value)} />
          )}
        </Field>
        <div className="hist-span2">
        <Field label="Phone number" error={fieldErr.phone}>
          {(id, d) => (
            <div className="hist-inline">
              <input
                id={id}
                type="search"
                inputMode="tel"
                placeholder="+14155550100"
                aria-describedby={d}
                value={phone}
                onChange={(e) => setPhone(e.target.value)}
              />
              <button type="submit" className="btn">
                Search
              </button>
            </div>
          )}
        </Field>
        </div>
        <div className="hist-filter-actions">
          <button type="button" className="btn" disabled={!anyFilter} onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear filters
          </button>
        </div>
      </form>

      {calls.loaded && calls.items.length === 0 && !calls.error && (
        <Empty>{anyFilter ? "No calls match these filters." : "No calls yet. Calls appear here when they end."}</Empty>
      )}
      {calls.items.length > 0 && (
        <div className="table-wrap" aria-busy={calls.loading}>
          <table aria-label="Calls">
            <TableHead columns={["When", "Direction", "Contact / phone", "Agent", "Status", "Outcome", "Duration"]} />
            <tbody>
              {calls.items.map((c) => (
                <tr
                  key={c.id}
                  className="clickable"
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest("a")) navigate(`/calls/${c.id}`);
                  }}
                >
                  <td>
                    <Link to={`/calls/${c.id}`}>{dateTime(c.startedAt ?? c.createdAt)}</Link>
                  </td>
                  <td>{titleCase(c.direction)}</td>
                  <td>{c.contactId ? <Link to={`/contacts/${c.contactId}`}>{otherParty(c)}</Link> : otherParty(c)}</td>
                  <td>{agentName.get(c.agentId) ?? <span className="muted">{c.agentId}</span>}</td>
                  <td>
                    <Badge tone={toneOf(c.status)}>{titleCase(c.status)}</Badge>
                  </td>
                  <td>{c.outcome ? <Badge tone={toneOf(c.outcome)}>{c.outcome}</Badge> : <span className="muted">—</span>}</td>
                  <td>{duration(c.duration)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PagedFooter list={calls} what="calls" />
    </>
  );
}
