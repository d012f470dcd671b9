// The Swarm overview of one campaign (issue 18 §10; the swarm specification's
// campaign modal): header figures (with the compliance figures: abandon rate
// all time and last 30 days, average ring time, the abandon cap), lifecycle buttons, the agent grid with
// "Add a swarm agent", variant comparison, objectives, the call flow (steps with
// their measured durations; SwarmCallFlow), the autoscaling rules editor,
// configuration, recent calls and the activity log.
//
// Live updates through the realtime API (docs/REALTIME.md): the campaign's
// header (swarmCampaign), the agent grid (swarmAgents), objectives
// (swarmObjectives), the activity log (swarmActivity), recent calls
// (swarmRecentCalls), the rules' triggers (swarmRules) and the job's progress (job) arrive as changes; the
// metrics by period are re-read when the campaign's totals move. The server
// publishes while the campaign's job runs, so the live rows are shown while it
// is active; otherwise the page's own reads after each action are.
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, get, post, query, type Page } from "../../../lib/api";
import { useAsync } from "../../../lib/hooks";
import { type RealtimeMessage, useRealtime } from "../../../lib/realtime";
import { Badge, ErrorBanner, Loading } from "../../../lib/ui";
import type { AutoscalingRule, Objective, SwarmActivity, SwarmAgent, SwarmRecentCall } from "../../../api/types";
import type { AgentSummary, Campaign, Job } from "../types";
import { fetchAll } from "../util";
import { AddAgentForm, AgentGrid, VariantTable } from "./SwarmAgents";
import { CallFlow } from "./SwarmCallFlow";
import { SwarmCallSettings } from "./SwarmCallSettings";
import { ConfigForm } from "./SwarmConfig";
import { ActivityLog, RecentCalls } from "./SwarmFeeds";
import { complianceFigures, type Metrics, type Period, SwarmMetrics, useCampaignMetrics } from "./SwarmMetrics";
import { AddObjectiveForm, Objectives, RuleForm, RulesTable } from "./SwarmGoals";
import { campaignPath, campaignTone, pct, problemText } from "./common";
import "./swarm.css";

/** Rows keyed by `key`, newest first: a swarm query's snapshot `{items}` and its changes applied. */
type Rows<T> = T[];

/** Applies a swarm query's message to its rows (snapshot: replace; upsert/append: by id; remove). */
function rowsReducer<T extends { id: string }>(member: string, removeKey: string, limit: number) {
  return (rows: Rows<T>, msg: RealtimeMessage): Rows<T> => {
    if (msg.type === "snapshot") return ((msg.data as { items?: T[] })?.items ?? []).slice(0, limit);
    if (msg.type !== "change") return rows;
    const change = msg.data as Record<string, unknown>;
    if (change.kind === "remove") return rows.filter((r) => r.id !== change[removeKey]);
    const row = change[member] as T | undefined;
    if (!row) return rows;
    const i = rows.findIndex((r) => r.id === row.id);
    if (i >= 0) return rows.map((r, j) => (j === i ? row : r));
    return change.kind === "append" ? [row, ...rows].slice(0, limit) : [...rows, row];
  };
}
const agentsReducer = rowsReducer<SwarmAgent>("agent", "agentId", 10000);
const objectivesReducer = rowsReducer<Objective>("objective", "id", 10000);
const activityReducer = rowsReducer<SwarmActivity>("activity", "id", 50);
const recentReducer = rowsReducer<SwarmRecentCall>("call", "id", 20);
const rulesReducer = rowsReducer<AutoscalingRule>("rule", "id", 10000);

/** The job query's view (snapshot or change {kind:"job", job}). */
function jobReducer(job: Job | null, msg: RealtimeMessage): Job | null {
  if (msg.type === "snapshot") return msg.data as Job;
  if (msg.type === "change") return ((msg.data as { job?: Job }).job ?? job);
  return job;
}

interface SwarmData {
  agents: SwarmAgent[];
  rules: AutoscalingRule[];
  objectives: Objective[];
  recent: SwarmRecentCall[];
  activity: SwarmActivity[];
  job: Job | null;
}

async function loadSwarm(c: Campaign): Promise<SwarmData> {
  const base = campaignPath(c.id);
  const page = <T,>(p: string, limit: number) => get<Page<T>>(query(`${base}/${p}`, { limit })).then((r) => r.items);
  const [agents, rules, objectives, recent, activity, job] = await Promise.all([
    fetchAll<SwarmAgent>(`${base}/agents`, {}, 4).then((r) => r.items),
    page<AutoscalingRule>("autoscaling-rules", 200),
    page<Objective>("objectives", 200),
    page<SwarmRecentCall>("recent-calls", 20),
    page<SwarmActivity>("activity", 50),
    c.jobId ? get<Job>(`/api/jobs/${encodeURIComponent(c.jobId)}`) : Promise.resolve(null),
  ]);
  return { agents, rules, objectives, recent, activity, job };
}

/** Leads not yet finished (pending, waiting for a retry or on a call), from the dialer's live view or the job record. */
function leadsRemaining(job: Job | null): number | null {
  if (!job) return null;
  const p = job.progress;
  if (p) return Math.max(0, p.total - p.completed - p.failed);
  return Math.max(0, job.totalCalls - job.completedCalls - job.failedCalls);
}

type Verb = "start" | "pause" | "resume" | "stop";

function Lifecycle({ campaign, onChanged }: { campaign: Campaign; onChanged: (c: Campaign) => void }) {
  const [busy, setBusy] = useState<Verb | null>(null);
  const [failed, setFailed] = useState<{ verb: Verb; error: ApiError } | null>(null);
  const [confirmStop, setConfirmStop] = useState(false);
  const s = campaign.status;
  async function act(verb: Verb) {
    setBusy(verb);
    setFailed(null);
    try {
      onChanged(await post<Campaign>(`${campaignPath(campaign.id)}/${verb}`));
      setConfirmStop(false);
    } catch (e) {
      setFailed({ verb, error: e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []) });
    } finally {
      setBusy(null);
    }
  }
  const enabled: Record<Verb, boolean> = {
    start: s === "scheduled",
    pause: s === "active",
    resume: s === "paused",
    stop: s === "active" || s === "paused",
  };
  const label: Record<Verb, string> = { start: "Start", pause: "Pause", resume: "Resume", stop: "Stop" };
  return (
    <div className="swarm-lifecycle" role="group" aria-label="Campaign controls">
      {(["start", "pause", "resume", "stop"] as const).map((verb) => {
        const errId = `swarm-${verb}-error`;
        const err = failed?.verb === verb ? failed.error : null;
        return (
          <span key={verb} className="swarm-control">
            <button type="button" className={`btn${verb === "start" ? " primary" : ""}`} disabled={!enabled[verb] || busy !== null}
              aria-describedby={err ? errId : undefined}
              onClick={() => (verb === "stop" ? setConfirmStop(true) : act(verb))}>
              {busy === verb ? `${label[verb]}…` : label[verb]}
            </button>
            {err && (
              <span id={errId} className="field-error swarm-control-error" role="alert">
                {problemText(err)}
              </span>
            )}
          </span>
        );
      })}
      {confirmStop && (
        <div className="campaigns-confirm" role="alertdialog" aria-labelledby="swarm-stop-q">
          <p id="swarm-stop-q">Stop the campaign for good? Pending leads will not be called; calls in progress finish.</p>
          <button type="button" className="btn danger" disabled={busy !== null} onClick={() => act("stop")}>
            Yes, stop the campaign
          </button>
          <button type="button" className="btn" onClick={() => setConfirmStop(false)}>
            Keep it
          </button>
        </div>
      )}
    </div>
  );
}

function Figures({ c, job, metrics }: { c: Campaign; job: Job | null; metrics: Metrics | undefined }) {
  const remaining = leadsRemaining(job);
  const figures: [string, ReactNode][] = [
    ["Status", <Badge tone={campaignTone(c.status)}>{c.status}</Badge>],
    ["Purpose", c.purpose],
    ["Priority", c.priority],
    ["Agents", `${c.activeAgents} / ${c.totalAgents}`],
    ["Total calls", c.totalCalls],
    ["Successful", c.successfulCalls],
    ["Failed", c.failedCalls],
    ["Success rate", c.totalCalls ? pct(c.successRate) : "—"],
    ["Leads remaining", remaining === null ? "—" : remaining],
    ...complianceFigures(metrics, c.abandonCapPercent),
  ];
  return (
    <dl className="swarm-figures">
      {figures.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

interface Props {
  campaign: Campaign;
  /** The voice agents a swarm agent can be built from (GET /api/agents). */
  voiceAgents: AgentSummary[] | undefined;
  canWrite: boolean;
  /** A fresh campaign record (after an action or a save). */
  onCampaign: (c: Campaign) => void;
  /** Re-read the campaign (its figures move while it runs). */
  reloadCampaign: () => void;
}

export function SwarmOverview({ campaign: c, voiceAgents, canWrite, onCampaign, reloadCampaign }: Props) {
  const data = useAsync(() => loadSwarm(c), [c.id, c.jobId]);
  const [period, setPeriod] = useState<Period>("daily");
  const metrics = useCampaignMetrics(c.id, period, c.id);
  const refresh = () => {
    reloadCampaign();
    data.reload();
    metrics.reload();
  };
  // Live: the realtime queries of this campaign (their snapshots replace what loadSwarm read).
  const byCampaign = { campaignId: c.id };
  const head = useRealtime<Campaign | null>("swarmCampaign", { id: c.id }, null, (prev, msg) => {
    if (msg.type === "snapshot") return msg.data as Campaign;
    if (msg.type === "change") return ((msg.data as { campaign?: Campaign }).campaign ?? prev);
    return prev;
  });
  const liveAgents = useRealtime<SwarmAgent[]>("swarmAgents", byCampaign, [], agentsReducer);
  const liveObjectives = useRealtime<Objective[]>("swarmObjectives", byCampaign, [], objectivesReducer);
  const liveActivity = useRealtime<SwarmActivity[]>("swarmActivity", byCampaign, [], activityReducer);
  const liveRecent = useRealtime<SwarmRecentCall[]>("swarmRecentCalls", byCampaign, [], recentReducer);
  const liveRules = useRealtime<AutoscalingRule[]>("swarmRules", byCampaign, [], rulesReducer);
  const liveJob = useRealtime<Job | null>("job", c.jobId ? { id: c.jobId } : null, null, jobReducer);
  // A header change is the campaign's new record; its totals moving re-read the metrics.
  const live = head.state;
  useEffect(() => {
    if (!live || live.id !== c.id) return;
    if (JSON.stringify(live) !== JSON.stringify(c)) onCampaign(live);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live]);
  useEffect(() => {
    if (live && live.id === c.id) metrics.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live?.totalCalls]);
  // The server publishes a campaign's changes while its job runs; otherwise
  // (scheduled, paused, ended) this page's own reads after each action hold.
  const pick = <T,>(q: { loaded: boolean; error: string | null; state: T }, fallback: T) =>
    c.status === "active" && q.loaded && !q.error ? q.state : fallback;
  const d = data.data && {
    ...data.data,
    agents: pick(liveAgents, data.data.agents),
    objectives: pick(liveObjectives, data.data.objectives),
    activity: pick(liveActivity, data.data.activity),
    recent: pick(liveRecent, data.data.recent),
    rules: pick(liveRules, data.data.rules),
    job: pick(liveJob, data.data.job),
  };

  return (
    <section className="card swarm" aria-labelledby="swarm-title">
      <div className="campaigns-card-head">
        <h2 id="swarm-title">Swarm</h2>
        {canWrite && <Lifecycle campaign={c} onChanged={(x) => { onCampaign(x); data.reload(); }} />}
      </div>
      <Figures c={c} job={d?.job ?? null} metrics={metrics.data} />
      {c.status === "active" && (
        <p className="muted campaigns-small swarm-note">
          {liveAgents.connected ? "Live: changes appear as they happen." : "Reconnecting to live updates…"}
        </p>
      )}
      {data.error && <ErrorBanner error={data.error} onRetry={data.reload} />}
      {!d ? (
        !data.error && <Loading what="Loading the swarm" />
      ) : (
        <>
          <section aria-labelledby="swarm-agents-title" className="swarm-part">
            <h3 id="swarm-agents-title">Agents</h3>
            <AgentGrid campaignId={c.id} agents={d.agents} canWrite={canWrite} onChanged={refresh} />
            {canWrite &&
              (voiceAgents ? (
                <AddAgentForm campaignId={c.id} voiceAgents={voiceAgents} onAdded={refresh} />
              ) : (
                <Loading what="Loading voice agents" />
              ))}
          </section>

          <section aria-labelledby="swarm-variants-title" className="swarm-part">
            <h3 id="swarm-variants-title">Variant comparison</h3>
            <VariantTable agents={d.agents} />
          </section>

          <div className="swarm-two">
            <section aria-labelledby="swarm-objectives-title" className="swarm-part">
              <h3 id="swarm-objectives-title">Objectives</h3>
              <Objectives campaignId={c.id} objectives={d.objectives} canWrite={canWrite} onChanged={data.reload} />
              {canWrite && <AddObjectiveForm campaignId={c.id} onAdded={data.reload} />}
            </section>
            <section aria-labelledby="swarm-activity-title" className="swarm-part">
              <h3 id="swarm-activity-title">Activity log</h3>
              <ActivityLog items={d.activity} />
            </section>
          </div>

          <section aria-labelledby="swarm-flow-title" className="swarm-part">
            <h3 id="swarm-flow-title">Call flow</h3>
            <CallFlow campaignId={c.id} canWrite={canWrite} tick={c.totalCalls} />
          </section>

          <section aria-labelledby="swarm-rules-title" className="swarm-part">
            <h3 id="swarm-rules-title">Autoscaling rules</h3>
            {!c.autoscalingEnabled && d.rules.length > 0 && (
              <p className="muted campaigns-small">Autoscaling is off for this campaign: the rules do not run until it is switched on below.</p>
            )}
            <RulesTable campaignId={c.id} rules={d.rules} canWrite={canWrite} onChanged={data.reload} />
            {canWrite && <RuleForm campaignId={c.id} onAdded={data.reload} />}
          </section>

          <section aria-labelledby="swarm-recent-title" className="swarm-part">
            <h3 id="swarm-recent-title">Recent calls</h3>
            <RecentCalls calls={d.recent} />
          </section>

          <section aria-labelledby="swarm-metrics-title" className="swarm-part">
            <h3 id="swarm-metrics-title">Metrics by period</h3>
            <SwarmMetrics campaignId={c.id} period={period} onPeriod={setPeriod} metrics={metrics} />
          </section>
        </>
      )}
      {canWrite && <ConfigForm key={c.id} campaign={c} onSaved={onCampaign} />}
      <SwarmCallSettings key={`calls-${c.id}`} campaignId={c.id} canWrite={canWrite} />
    </section>
  );
}
