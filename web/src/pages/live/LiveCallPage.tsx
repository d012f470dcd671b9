// /live/:id: one call as it happens, from the realtime query `liveCall {id}`
// (snapshot + changes folded by foldCall), with the supervisor's controls.
import { useEffect, useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { get } from "../../lib/api";
import { useAsync } from "../../lib/hooks";
import { useRealtime } from "../../lib/realtime";
import { useCan } from "../../lib/session";
import { Badge, ErrorBanner, Loading, toneOf } from "../../lib/ui";
import { duration, titleCase } from "../../lib/format";
import { EMPTY_CALL, foldCall, tickingDuration, type CallState, type EndDetails } from "./types";
import { ConnectionIndicator, useNow } from "./util";
import { Transcript } from "./Transcript";
import {
  CoachingCards,
  LevelMeter,
  MetricsPanel,
  NextActions,
  Objectives,
  PhaseTimeline,
  Predictions,
  SentimentGauge,
  SentimentTrend,
  SystemPanel,
} from "./panels";
import { ActionsList, SupervisorPanel } from "./Supervisor";

function Panel({ title, children, className = "" }: { title: string; children: ReactNode; className?: string }) {
  const id = `live-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section className={`card live-panel ${className}`} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function useCurrency(): string | undefined {
  const settings = useAsync(() => get<{ call_prices?: { currency?: string } }>("/api/settings"), []);
  return settings.data?.call_prices?.currency;
}

/** The outcome of a call that had already ended when the page opened (no `ended` change to carry it). */
function useRecordedEnd(id: string, needed: boolean): EndDetails | null {
  const [end, setEnd] = useState<EndDetails | null>(null);
  useEffect(() => {
    if (!needed) return;
    let live = true;
    get<EndDetails>(`/api/calls/${encodeURIComponent(id)}`).then(
      (r) => live && setEnd({ outcome: r.outcome ?? null, status: r.status ?? null, errorMessage: r.errorMessage ?? null }),
      () => undefined, // the record may not be written yet: the banner links to it anyway
    );
    return () => {
      live = false;
    };
  }, [id, needed]);
  return end;
}

function CallView({ id, onRetry }: { id: string; onRetry: () => void }) {
  const can = useCan();
  const { state, error, connected, loaded } = useRealtime<CallState>("liveCall", { id }, EMPTY_CALL, foldCall);
  const currency = useCurrency();
  const recorded = useRecordedEnd(id, state.ended && !state.end);
  const end = state.end ?? recorded;
  const now = useNow(1000, !state.ended);
  const v = state.view;

  if (!loaded) return <Loading what="Connecting to the call" />;
  if (error || !v)
    return (
      <>
        <ErrorBanner error={error ?? "no data for this call"} onRetry={onRetry} />
        <p>
          A call that finished more than an hour ago is no longer live: see <Link to={`/calls/${encodeURIComponent(id)}`}>its call record</Link>{" "}
          or go back to <Link to="/live">the live calls</Link>.
        </p>
      </>
    );

  const c = v.call;
  const secs = tickingDuration(c, state.durationAt, now, state.ended);
  const who = c.customerName || c.customerPhone || "Unknown caller";
  return (
    <>
      <header className="page-header live-call-header">
        <div>
          <p className="live-crumb">
            <Link to="/live">Live calls</Link> /
          </p>
          <h1>
            {c.direction === "inbound" ? "Call from" : "Call to"} {who}
          </h1>
          <p className="muted live-sub">
            {c.customerName && c.customerPhone && c.customerName !== c.customerPhone && <>{c.customerPhone} · </>}
            Agent <strong>{c.agentName ?? "—"}</strong>
            {c.campaignName && (
              <>
                {" "}
                · Campaign <Link to={`/campaigns/${encodeURIComponent(c.campaignId ?? "")}`}>{c.campaignName}</Link>
              </>
            )}
            {c.isRecording && <> · recording</>}
          </p>
        </div>
        <div className="live-head-right">
          <Badge tone={state.ended ? "neutral" : toneOf(c.status)}>{state.ended ? "Ended" : titleCase(c.status)}</Badge>
          <span className="live-duration" aria-label="Duration">
            <time>{duration(secs)}</time>
          </span>
          {!state.ended && <ConnectionIndicator connected={connected} />}
        </div>
      </header>

      {state.ended && (
        <div className="live-ended" role="status">
          <div>
            <strong>This call has ended.</strong>
            {end?.outcome && <> Outcome: {end.outcome}.</>}
            {end?.errorMessage && <span className="muted"> ({end.errorMessage})</span>}
          </div>
          <Link className="btn" to={`/calls/${encodeURIComponent(c.callId)}`}>
            Open the call record
          </Link>
        </div>
      )}

      <div className="live-layout">
        <div className="live-col">
          <section className="card live-panel" aria-labelledby="live-now-h">
            <h2 id="live-now-h">
              Now{c.currentPhase && <span className="muted live-small"> · phase {titleCase(c.currentPhase)}</span>}
            </h2>
            <div className="live-meters">
              <LevelMeter label="Agent" value={c.agentGain} speaking={c.currentSpeaker === "agent"} />
              <LevelMeter label="Caller" value={c.customerGain} speaking={c.currentSpeaker === "caller"} />
            </div>
            <PhaseTimeline phases={v.phases} current={c.currentPhase} />
          </section>
          <Panel title="Transcript" className="live-transcript-panel">
            <Transcript lines={v.transcript} ended={state.ended} />
          </Panel>
          <Panel title="Coaching">
            <CoachingCards items={v.coaching} />
          </Panel>
          <div className="live-pair">
            <Panel title="Objectives">
              <Objectives items={v.objectives} />
            </Panel>
            <Panel title="Next actions">
              <NextActions items={v.nextActions} />
            </Panel>
          </div>
          <div className="live-pair">
            <Panel title="Predictions">
              <Predictions metrics={v.metrics} />
            </Panel>
            <Panel title="Performance">
              <MetricsPanel metrics={v.metrics} />
            </Panel>
          </div>
        </div>
        <div className="live-col">
          {can("live:control") && <SupervisorPanel callId={c.callId} actions={v.supervisorActions} ended={state.ended} callMs={secs * 1000} />}
          <Panel title="Sentiment">
            <SentimentGauge sentiment={v.sentiment} />
            <h3 className="live-h3">Trend</h3>
            <SentimentTrend lines={v.transcript} />
            {v.sentiment?.lastPositive && (
              <p className="live-small">
                Last positive ({v.sentiment.lastPositive.at ?? "—"}): “{v.sentiment.lastPositive.text}”
              </p>
            )}
            {v.sentiment?.lastNegative && (
              <p className="live-small">
                Last negative ({v.sentiment.lastNegative.at ?? "—"}): “{v.sentiment.lastNegative.text}”
              </p>
            )}
          </Panel>
          <Panel title="System">
            <SystemPanel config={v.systemConfig} currency={currency} />
          </Panel>
          <Panel title="Supervisor actions">
            <ActionsList actions={v.supervisorActions} />
          </Panel>
        </div>
      </div>
    </>
  );
}

export function LiveCallPage() {
  const { id = "" } = useParams();
  const [attempt, setAttempt] = useState(0);
  return (
    <div className="live">
      <CallView key={`${id}#${attempt}`} id={id} onRetry={() => setAttempt((a) => a + 1)} />
    </div>
  );
}
