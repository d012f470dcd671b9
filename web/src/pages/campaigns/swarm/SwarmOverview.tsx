// The Swarm overview of one campaign (issue 18 §10; the swarm specification's
// campaign modal): header figures (with the compliance figures: abandon rate
// all time and last 30 days, average ring time, the abandon cap), lifecycle buttons, the agent grid with
// "Add a swarm agent", variant comparison, objectives, the autoscaling rules
// editor, configuration, recent calls and the activity log.
//
// Live updates: every 2 s while the campaign is active, the overview re-reads
// the campaign, its agents, objectives, rules, feeds and its job's progress.
// The realtime API has no swarm query yet (campaignStats counts job calls, not
// swarm agents), so this polls; a `swarmCampaign` realtime query would replace it.
import { type ReactNode, useState } from "react";
import { ApiError, get, post, query, type Page } from "../../../lib/api";
import { useAsync, useInterval } from "../../../lib/hooks";
import { Badge, ErrorBanner, Loading } from "../../../lib/ui";
import type { AutoscalingRule, Objective, SwarmActivity, SwarmAgent, SwarmRecentCall } from "../../../api/types";
import type { AgentSummary, Campaign, Job } from "../types";
import { fetchAll } from "../util";
import { AddAgentForm, AgentGrid, VariantTable } from "./SwarmAgents";
import { SwarmCallSettings } from "./SwarmCallSettings";
import { ConfigForm } from "./SwarmConfig";
import { ActivityLog, RecentCalls } from "./SwarmFeeds";
import { complianceFigures, type Metrics, type Period, SwarmMetrics, useCampaignMetrics } from "./SwarmMetrics";
import { AddObjectiveForm, Objectives, RuleForm, RulesTable } from "./SwarmGoals";
import { campaignPath, campaignTone, pct, problemText } from "./common";
import "./swarm.css";

/** How often the overview re-reads a running campaign, ms. */
export const SWARM_POLL_MS = 2000;

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
  useInterval(refresh, c.status === "active" ? SWARM_POLL_MS : null);
  const d = data.data;

  return (
    <section className="card swarm" aria-labelledby="swarm-title">
      <div className="campaigns-card-head">
        <h2 id="swarm-title">Swarm</h2>
        {canWrite && <Lifecycle campaign={c} onChanged={(x) => { onCampaign(x); data.reload(); }} />}
      </div>
      <Figures c={c} job={d?.job ?? null} metrics={metrics.data} />
      {c.status === "active" && (
        <p className="muted campaigns-small swarm-note">Live: updated every {SWARM_POLL_MS / 1000} s while the campaign runs.</p>
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
