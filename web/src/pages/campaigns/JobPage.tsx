// /jobs/:id — the campaign ("swarm") overview of a running job: realtime
// `job {id}` and `campaignStats {campaignId}` (src/live/live_monitor.cpp),
// live counters, outcomes chart, progress, the recent calls feed, the
// pause/resume/cancel controls and the job's audit log.
import { useEffect, useId, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, get, post, query, type Page } from "../../lib/api";
import { useCan } from "../../lib/session";
import { useAsync, useInterval } from "../../lib/hooks";
import { dateTime, duration, titleCase } from "../../lib/format";
import { useRealtime, type RealtimeMessage } from "../../lib/realtime";
import { Badge, Empty, ErrorBanner, LoadFailed, Loading, PageHeader, ProgressBar, TableHead, toneOf } from "../../lib/ui";
import { OutcomeChart } from "./OutcomeChart";
import type { Campaign, CampaignStats, Job, JobEvent, RecentCall } from "./types";
import { JOB_ACTIVE, callIsLive, describeWindow, useConnectionState } from "./util";

function reduceJob(prev: Job | null, msg: RealtimeMessage): Job | null {
  if (msg.type === "snapshot") return (msg.data as Job) ?? prev;
  if (msg.type === "change") {
    const d = msg.data as { kind?: string; job?: Job };
    if (d?.kind === "job" && d.job) return d.job;
  }
  return prev;
}

function reduceStats(prev: CampaignStats | null, msg: RealtimeMessage): CampaignStats | null {
  if (msg.type === "snapshot") return (msg.data as CampaignStats) ?? prev;
  if (msg.type === "change") {
    const d = msg.data as { kind?: string; stats?: CampaignStats };
    if (d?.kind === "stats" && d.stats) return d.stats;
  }
  return prev;
}

/**
 * The newest of several copies of the job (by updatedAt). The dialer's
 * progress (realtime only) is kept when it is as new as the winner.
 */
function newest(...jobs: (Job | null | undefined)[]): Job | null {
  let best: Job | null = null;
  for (const j of jobs) if (j && (!best || (j.updatedAt ?? "") >= (best.updatedAt ?? ""))) best = j;
  if (!best) return null;
  // A finished job's own counters are final; the dialer's view may lag behind.
  if (!JOB_ACTIVE.has(best.status)) return { ...best, progress: undefined };
  if (best.progress) return best;
  const since = best.updatedAt ?? "";
  const fresh = jobs.find((j) => j?.progress && (j.updatedAt ?? "") >= since);
  return fresh ? { ...best, progress: fresh.progress } : best;
}

function ConnectionIndicator() {
  const state = useConnectionState();
  if (state === "open")
    return (
      <span className="campaigns-conn open">
        <span className="campaigns-dot" aria-hidden="true" /> Live
      </span>
    );
  return (
    <span className="campaigns-conn down" role="status">
      <span className="campaigns-dot" aria-hidden="true" />
      {state === "connecting" ? "Connecting to live updates…" : "Live updates disconnected — reconnecting…"}
    </span>
  );
}

function Counter({ label, value, tone }: { label: string; value: number | undefined; tone?: string }) {
  const id = useId();
  return (
    <div className={`campaigns-counter${tone ? " " + tone : ""}`} role="group" aria-labelledby={id}>
      <div className="stat">{value ?? "—"}</div>
      <div className="stat-label" id={id}>
        {label}
      </div>
    </div>
  );
}

function Controls({ job, onChanged }: { job: Job; onChanged: (j: Job) => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const active = JOB_ACTIVE.has(job.status);
  const paused = active && job.pausedAt !== null;

  async function act(action: "pause" | "resume" | "cancel") {
    setBusy(action);
    setError(null);
    try {
      onChanged(await post<Job>(`/api/jobs/${encodeURIComponent(job.id)}/${action}`));
      setConfirming(false);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="campaigns-controls">
      <div className="campaigns-buttons" role="group" aria-label="Job controls">
        <button type="button" className="btn" disabled={!active || paused || busy !== null} onClick={() => void act("pause")}>
          {busy === "pause" ? "Pausing…" : "Pause"}
        </button>
        <button type="button" className="btn" disabled={!paused || busy !== null} onClick={() => void act("resume")}>
          {busy === "resume" ? "Resuming…" : "Resume"}
        </button>
        {!confirming && (
          <button type="button" className="btn danger" disabled={!active || busy !== null} onClick={() => setConfirming(true)}>
            Cancel job
          </button>
        )}
      </div>
      {confirming && active && (
        <div className="campaigns-confirm" role="alertdialog" aria-labelledby="campaigns-confirm-text">
          <p id="campaigns-confirm-text">Cancel this job? No new calls or retries are placed; pending calls fail as “cancelled”.</p>
          <button type="button" className="btn danger" disabled={busy !== null} onClick={() => void act("cancel")} autoFocus>
            {busy === "cancel" ? "Cancelling…" : "Yes, cancel the job"}
          </button>
          <button type="button" className="btn" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {error && <ErrorBanner error={error} />}
    </div>
  );
}

function RecentCalls({ calls }: { calls: RecentCall[] }) {
  if (calls.length === 0) return <Empty>No calls yet.</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Prospect</th>
            <th scope="col">Status</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="campaigns-num">Duration</th>
            <th scope="col">Sentiment</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((c) => {
            const live = callIsLive(c.status, c.endedAt);
            const who = c.prospectName || c.prospectPhone || "Unknown";
            return (
              <tr key={c.callId}>
                <td>
                  <Link to={live ? `/live/${c.callId}` : `/calls/${c.callId}`}>{who}</Link>
                  {c.prospectName && c.prospectPhone && <div className="muted campaigns-small">{c.prospectPhone}</div>}
                </td>
                <td>
                  {live ? <Badge tone="info">live · {c.status ?? "connecting"}</Badge> : <Badge tone={toneOf(c.status)}>{titleCase(c.status ?? "—")}</Badge>}
                </td>
                <td>{c.outcome ? <Badge tone={toneOf(c.outcome)}>{c.outcome}</Badge> : <span className="muted">—</span>}</td>
                <td className="campaigns-num">{duration(c.duration)}</td>
                <td>{c.sentiment ? <Badge tone={toneOf(c.sentiment)}>{c.sentiment}</Badge> : <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Events({ jobId, active, version }: { jobId: string; active: boolean; version: string }) {
  const [older, setOlder] = useState<JobEvent[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [olderError, setOlderError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const head = useAsync(() => get<Page<JobEvent>>(query(`/api/jobs/${encodeURIComponent(jobId)}/events`, { limit: 50 })), [jobId]);
  useInterval(head.reload, active ? 3000 : 15000);
  // A state change (pause, resume, cancel, the end) is logged: read it now.
  const reload = head.reload;
  const seenVersion = useRef(version);
  useEffect(() => {
    if (seenVersion.current === version) return;
    seenVersion.current = version;
    reload();
  }, [version, reload]);

  const seen = new Set<number>();
  const events = [...(head.data?.items ?? []), ...older].filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  events.sort((a, b) => b.id - a.id);
  const next = cursor === undefined ? head.data?.nextCursor : cursor;

  async function loadOlder() {
    if (!next) return;
    setBusy(true);
    setOlderError(null);
    try {
      const p = await get<Page<JobEvent>>(query(`/api/jobs/${encodeURIComponent(jobId)}/events`, { limit: 100, cursor: next }));
      setOlder((o) => [...o, ...p.items]);
      setCursor(p.nextCursor);
    } catch (e) {
      setOlderError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="campaigns-events-title">
      <h2 id="campaigns-events-title">Audit log</h2>
      <p className="muted campaigns-small">Every dial decision with its reason (refreshed every few seconds).</p>
      {head.error && <ErrorBanner error={head.error} onRetry={head.reload} />}
      {!head.data && !head.error ? (
        <Loading what="Loading events" />
      ) : events.length === 0 ? (
        !head.error && <Empty>No events yet.</Empty>
      ) : (
        <div className="table-wrap campaigns-events">
          <table>
            <TableHead columns={["Time", "Type", "Decision"]} />
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td className="campaigns-nowrap">{new Date(e.createdAt).toLocaleTimeString()}</td>
                  <td>
                    <Badge tone={e.type === "skip" || e.type === "result" ? "neutral" : e.type === "pacing" || e.type === "wait" ? "warn" : "info"}>
                      {e.type}
                    </Badge>
                  </td>
                  <td>
                    {e.message}
                    {e.callId && (
                      <>
                        {" "}
                        <Link to={`/calls/${e.callId}`} aria-label={`Call ${e.callId}`} className="campaigns-small">
                          call
                        </Link>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {olderError && <ErrorBanner error={olderError} onRetry={loadOlder} />}
      {next && (
        <button type="button" className="btn small campaigns-more" onClick={() => void loadOlder()} disabled={busy}>
          {busy ? "Loading…" : "Show older events"}
        </button>
      )}
    </section>
  );
}

export function JobPage() {
  const canWrite = useCan()("campaigns:write");
  const { id = "" } = useParams();
  const fetched = useAsync(() => get<Job>(`/api/jobs/${encodeURIComponent(id)}`), [id]);
  const rt = useRealtime<Job | null>("job", id ? { id } : null, null, reduceJob);
  const [acted, setActed] = useState<Job | null>(null);
  const job = newest(fetched.data, rt.state, acted && acted.id === id ? acted : null);
  const campaignId = job?.campaignId;
  const stats = useRealtime<CampaignStats | null>("campaignStats", campaignId ? { id: campaignId } : null, null, reduceStats);
  const campaign = useAsync(
    () => (campaignId ? get<Campaign>(`/api/campaigns/${encodeURIComponent(campaignId)}`) : Promise.resolve(null)),
    [campaignId],
  );
  const agent = useAsync(
    () => (job?.agentId ? get<{ id: string; name: string }>(`/api/agents/${encodeURIComponent(job.agentId)}`) : Promise.resolve(null)),
    [job?.agentId],
  );

  if (!job) {
    if (fetched.error)
      return <LoadFailed title="Job" error={fetched.error} onRetry={fetched.reload} back={["/campaigns", "Back to campaigns"]} />;
    return <Loading what="Loading job" />;
  }

  const p = job.progress;
  const total = p?.total ?? job.totalCalls;
  const completed = p?.completed ?? job.completedCalls;
  const failed = p?.failed ?? job.failedCalls;
  const done = completed + failed;
  const active = JOB_ACTIVE.has(job.status);
  const paused = active && job.pausedAt !== null;
  const s = stats.state;
  const campaignName = campaign.data?.name ?? "campaign";

  return (
    <div className="campaigns-page">
      <nav aria-label="Breadcrumb" className="campaigns-crumbs">
        <Link to="/campaigns">Campaigns</Link> / <Link to={`/campaigns/${job.campaignId}`}>{campaign.data?.name ?? "Campaign"}</Link> /{" "}
        <span aria-current="page">Job {job.id.slice(0, 8)}</span>
      </nav>
      <PageHeader title={`${campaign.data?.name ?? "Campaign"} — job overview`} actions={<ConnectionIndicator />}>
        <p className="campaigns-state">
          <span>State:</span> <Badge tone={toneOf(job.status)}>{job.status}</Badge>
          {paused && <Badge tone="warn">paused</Badge>}
          {agent.data && (
            <span className="muted">
              {" "}
              · Agent <Link to={`/agents/${agent.data.id}`}>{agent.data.name}</Link>
            </span>
          )}
        </p>
      </PageHeader>
      {rt.error && <ErrorBanner error={`Live job updates: ${rt.error}`} />}
      {job.errorMessage && <ErrorBanner error={`The job failed: ${job.errorMessage}`} />}

      <section className="card" aria-labelledby="campaigns-progress-title">
        <div className="campaigns-card-head">
          <h2 id="campaigns-progress-title">Progress</h2>
          {canWrite && <Controls job={job} onChanged={setActed} />}
        </div>
        <ProgressBar value={done} max={total} label="Job progress" />
        <p className="campaigns-progress-text">
          <strong>
            {done} of {total}
          </strong>{" "}
          contacts final ({total ? Math.round((done / total) * 100) : 0}%) · {completed} completed · {failed} failed
          {p && (
            <>
              {" "}
              · {p.calling} calling · {p.pending} pending{p.waiting ? ` (${p.waiting} waiting for their window or a retry)` : ""}
            </>
          )}
        </p>
        <p className="muted campaigns-small">
          {job.maxConcurrent} at once · {job.callsPerSecond} calls/s · window {describeWindow(job.callingWindow)} · up to{" "}
          {job.retry.maxAttempts === 1 ? "1 attempt" : `${job.retry.maxAttempts} attempts, ${job.retry.backoffMinutes} min apart`} · started {dateTime(job.startedAt)}
          {job.finishedAt && <> · finished {dateTime(job.finishedAt)}</>}
        </p>
      </section>

      <section className="card" aria-labelledby="campaigns-counters-title">
        <h2 id="campaigns-counters-title">Campaign calls</h2>
        <p className="muted campaigns-small">All jobs of {campaignName}, live.</p>
        {stats.error && <ErrorBanner error={`Live campaign counters: ${stats.error}`} />}
        {!s && !stats.error ? (
          <Loading what="Waiting for live counters" />
        ) : (
          s && (
            <>
              <div className="campaigns-counters" role="group" aria-label="Live counters">
                <Counter label="Placed" value={s.placed} />
                <Counter label="In progress" value={s.inProgress} tone="info" />
                <Counter label="Completed" value={s.completed} tone="good" />
                <Counter label="Failed" value={s.failed} tone="bad" />
                <Counter label="Pending" value={s.pending} />
              </div>
              <div className="campaigns-overview">
                <div className="campaigns-outcomes">
                  <h3>Outcomes</h3>
                  <OutcomeChart outcomes={s.outcomes} />
                </div>
                <div className="campaigns-recent">
                  <h3>Recent calls</h3>
                  <RecentCalls calls={s.recentCalls} />
                </div>
              </div>
            </>
          )
        )}
      </section>

      <Events jobId={job.id} active={active} version={`${job.status}|${job.pausedAt ?? ""}`} />
    </div>
  );
}
