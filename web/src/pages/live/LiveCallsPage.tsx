// /live: the calls in progress, from the realtime query `liveCalls {status?}`.
import { useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useRealtime } from "../../lib/realtime";
import { Badge, Empty, ErrorBanner, Field, Loading, PageHeader, TableHead, toneOf } from "../../lib/ui";
import { duration, titleCase } from "../../lib/format";
import { foldLiveList, LIVE_STATUSES, type LiveList, type SupervisorAlert, tickingDuration } from "./types";
import { ConnectionIndicator, SentimentBadge, useNow } from "./util";

/** One alert in words: what happened, on whose call. */
function alertText(a: SupervisorAlert): string {
  const who = [a.customerName, a.agentName && `agent ${a.agentName}`].filter(Boolean).join(", ");
  if (a.kind === "quality")
    return `Flagged for review${who ? ` (${who})` : ""}: ${a.reason ?? `quality ${a.qualityScore} under ${a.successThreshold}`}`;
  const why = a.trigger === "keyword" ? `said "${a.detail}"` : a.trigger === "human_request" ? "asked for a person"
    : a.trigger === "repeated_objection" ? `repeated the ${a.detail} objection` : a.trigger === "negative_sentiment" ? "sounds upset" : a.trigger;
  return `Escalation${who ? ` (${who})` : ""}: the callee ${why}${a.transferTo ? `; transferring to ${a.transferTo}` : ""}`;
}

/** Supervisor alerts (issue 18 §6) as they arrive, newest first. */
function Alerts({ alerts }: { alerts: SupervisorAlert[] }) {
  if (alerts.length === 0) return null;
  return (
    <section className="card live-alerts" aria-labelledby="live-alerts-title">
      <h2 id="live-alerts-title">Alerts</h2>
      <div role="log" aria-live="polite">
      <ul>
        {alerts.map((a) => (
          <li key={`${a.kind}-${a.callId}-${a.receivedAt}`}>
            <Badge tone={a.kind === "quality" ? "warn" : "bad"}>{a.kind === "quality" ? "Review" : "Escalation"}</Badge>{" "}
            <Link to={a.kind === "quality" ? `/calls/${encodeURIComponent(a.callId)}` : `/live/${encodeURIComponent(a.callId)}`}>
              {alertText(a)}
            </Link>
          </li>
        ))}
      </ul>
      </div>
    </section>
  );
}

function CallsTable({ status }: { status: string }) {
  const navigate = useNavigate();
  const args = useMemo(() => (status ? { status } : {}), [status]);
  const initial = useMemo<LiveList>(() => ({ calls: new Map(), alerts: [] }), []);
  const { state: list, error, connected, loaded } = useRealtime<LiveList>("liveCalls", args, initial, foldLiveList);
  const state = list.calls;
  const now = useNow(1000, state.size > 0);
  const rows = useMemo(
    () => [...state.values()].sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0)),
    [state],
  );
  return (
    <>
      <Alerts alerts={list.alerts} />
      <div className="live-toolbar-status">
        <ConnectionIndicator connected={connected} />
        {loaded && !error && (
          <span className="muted" aria-live="polite">
            {rows.length} {rows.length === 1 ? "call" : "calls"} in progress
          </span>
        )}
      </div>
      <ErrorBanner error={error} />
      {!loaded ? (
        <Loading what="Loading live calls" />
      ) : rows.length === 0 ? (
        <div className="card">
          <Empty>{status ? `No live calls with status "${status}".` : "No live calls"}</Empty>
          <p className="muted">Calls appear here as soon as they are placed or answered.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="live-calls-table">
            <caption className="live-sr-only">Calls in progress</caption>
            <TableHead columns={["Contact", "Agent", "Status", "Phase", "Duration", "Sentiment", "Speaking", "Campaign"]} />
            <tbody>
              {rows.map((c) => (
                <tr key={c.callId} className="clickable" onClick={() => navigate(`/live/${encodeURIComponent(c.callId)}`)}>
                  <td>
                    <Link to={`/live/${encodeURIComponent(c.callId)}`} onClick={(e) => e.stopPropagation()}>
                      {c.customerName || c.customerPhone || "Unknown caller"}
                    </Link>
                    {c.customerName && c.customerPhone && c.customerName !== c.customerPhone && <div className="muted live-small">{c.customerPhone}</div>}
                  </td>
                  <td>{c.agentName ?? "—"}</td>
                  <td>
                    <Badge tone={toneOf(c.status)}>{titleCase(c.status)}</Badge>
                  </td>
                  <td>{c.currentPhase ? titleCase(c.currentPhase) : "—"}</td>
                  <td className="live-num">
                    <time>{duration(tickingDuration(c, c.receivedAt, now))}</time>
                  </td>
                  <td>
                    <SentimentBadge value={c.sentiment ?? undefined} />
                  </td>
                  <td>{c.currentSpeaker ? titleCase(c.currentSpeaker) : <span className="muted">—</span>}</td>
                  <td>{c.campaignName ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function LiveCallsPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const [attempt, setAttempt] = useState(0);
  return (
    <div className="live">
      <PageHeader title="Live calls">
        <p className="muted">Calls in progress, updated as they happen. Open one to watch and act on it.</p>
      </PageHeader>
      <div className="live-toolbar">
        <Field label="Status">
          {(id) => (
            <select
              id={id}
              value={status}
              onChange={(e) => {
                const next = new URLSearchParams(params);
                if (e.target.value) next.set("status", e.target.value);
                else next.delete("status");
                setParams(next, { replace: true });
              }}
            >
              <option value="">All statuses</option>
              {LIVE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {titleCase(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" className="btn small" onClick={() => setAttempt((a) => a + 1)}>
          Refresh
        </button>
      </div>
      <CallsTable key={`${status}#${attempt}`} status={status} />
    </div>
  );
}
