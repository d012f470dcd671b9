// /calls/:id: one finished call — its record, summary, recording, transcript,
// the memories it produced, its analytics and the engines that ran it.
import { useRef } from "react";
import { Link, useParams } from "react-router";
import { ApiError, get, type Page } from "../../lib/api";
import { TicketAudio } from "../../lib/TicketAudio";
import { useAsync } from "../../lib/hooks";
import { Badge, Empty, ErrorBanner, Loading, PageHeader, toneOf } from "../../lib/ui";
import { dateTime, duration, percent, titleCase } from "../../lib/format";
import { mmss, otherParty, type AgentRef, type Call, type CallAnalytics, type Memory } from "./types";

/** GET that answers null for 404 (a call without analytics). */
async function getOrNull<T>(path: string): Promise<T | null> {
  try {
    return await get<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}
function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
}

export function CallPage() {
  const { id = "" } = useParams();
  const call = useAsync(() => get<Call>(`/api/calls/${encodeURIComponent(id)}`), [id]);
  const c = call.data;
  const agent = useAsync(() => (c ? getOrNull<AgentRef>(`/api/agents/${c.agentId}`) : Promise.resolve(null)), [c?.agentId]);
  const analytics = useAsync(() => getOrNull<CallAnalytics>(`/api/calls/${encodeURIComponent(id)}/analytics`), [id]);
  const audio = useRef<HTMLAudioElement>(null);

  if (!c) {
    return (
      <>
        <PageHeader title="Call" />
        {call.loading ? <Loading what="Loading the call" /> : <ErrorBanner error={call.error} onRetry={call.reload} />}
      </>
    );
  }

  const seek = (ms: number) => {
    const a = audio.current;
    if (!a) return;
    a.currentTime = ms / 1000;
    void a.play().catch(() => undefined);
  };
  const sys = obj(c.systemInfo);
  const turns = c.turnMetrics.filter((t) => t.firstPacketUs > 0 && t.lastCallerAudioUs > 0);
  const avgResponseMs = turns.length
    ? turns.reduce((s, t) => s + (t.firstPacketUs - t.lastCallerAudioUs), 0) / turns.length / 1000
    : null;

  return (
    <>
      <PageHeader
        title={`Call with ${otherParty(c)}`}
        actions={
          <>
            {c.contactId && (
              <Link className="btn" to={`/contacts/${c.contactId}`}>
                Open contact
              </Link>
            )}
            <Link className="btn" to="/calls">
              All calls
            </Link>
          </>
        }
      >
        <p className="hist-badges">
          <Badge tone={toneOf(c.status)}>{titleCase(c.status)}</Badge>
          {c.outcome && <Badge tone={toneOf(c.outcome)}>{c.outcome}</Badge>}
          {c.flaggedForReview && <Badge tone="warn">Flagged for review</Badge>}
          <span className="muted">{dateTime(c.startedAt ?? c.createdAt)}</span>
        </p>
        {c.flaggedForReview && c.reviewReason && <p className="muted">Review: {c.reviewReason}</p>}
      </PageHeader>
      <ErrorBanner error={call.error} onRetry={call.reload} />

      <div className="grid two hist-top">
        <section className="card" aria-labelledby="call-record">
          <h2 id="call-record">Call details</h2>
          <dl className="hist-dl">
            <dt>Status</dt>
            <dd>{titleCase(c.status)}</dd>
            <dt>Direction</dt>
            <dd>{titleCase(c.direction)}</dd>
            <dt>From</dt>
            <dd>{c.fromPhone || "—"}</dd>
            <dt>To</dt>
            <dd>{c.toPhone || "—"}</dd>
            <dt>Agent</dt>
            <dd>
              <Link to={`/agents/${c.agentId}`}>{agent.data?.name ?? c.agentId}</Link>
            </dd>
            <dt>Contact</dt>
            <dd>{c.contactId ? <Link to={`/contacts/${c.contactId}`}>{otherParty(c)}</Link> : "—"}</dd>
            <dt>Started</dt>
            <dd>{dateTime(c.startedAt)}</dd>
            <dt>Ended</dt>
            <dd>{dateTime(c.endedAt)}</dd>
            <dt>Duration</dt>
            <dd>{duration(c.duration)}</dd>
            <dt>Outcome</dt>
            <dd>{c.outcome ?? "—"}</dd>
            <dt>End reason</dt>
            <dd>
              {c.errorMessage ?? "—"}
              {c.sipCode ? ` (SIP ${c.sipCode})` : ""}
            </dd>
            <dt>Follow-up SMS</dt>
            <dd>{c.smsSent ? `Sent ${dateTime(c.smsSentAt)}` : "Not sent"}</dd>
            {c.jobId && (
              <>
                <dt>Campaign job</dt>
                <dd>
                  <Link to={`/jobs/${c.jobId}`}>{c.jobId}</Link>
                </dd>
              </>
            )}
          </dl>
        </section>

        <div>
          <section className="card" aria-labelledby="call-summary">
            <h2 id="call-summary">Summary</h2>
            {c.summary ? <p className="hist-summary">{c.summary}</p> : <Empty>No summary for this call.</Empty>}
          </section>
          <section className="card" aria-labelledby="call-recording">
            <h2 id="call-recording">Recording</h2>
            {c.recordingUrl ? (
              <>
                <TicketAudio
                  ref={audio}
                  className="hist-audio"
                  controls
                  preload="metadata"
                  resource={`/api/calls/${c.id}/recording`}
                  aria-label="Call recording"
                />
                <p className="muted small">
                  Stereo: caller on the left, agent on the right. Select a transcript time to jump there.
                  {c.recordingExpiresAt && ` Kept until ${dateTime(c.recordingExpiresAt)}.`}
                </p>
              </>
            ) : (
              <Empty>This call has no recording.</Empty>
            )}
          </section>
        </div>
      </div>

      <section className="card" aria-labelledby="call-transcript">
        <h2 id="call-transcript">Transcript</h2>
        {c.transcript.length === 0 ? (
          <Empty>No transcript for this call.</Empty>
        ) : (
          <ol className="hist-transcript">
            {c.transcript.map((t, i) => (
              <li key={`${i}-${t.startMs ?? ""}`} className={`hist-line ${t.speaker === "agent" ? "agent" : "caller"}`}>
                <span className="hist-when">
                  {c.recordingUrl && t.startMs !== undefined ? (
                    <button type="button" className="btn small" onClick={() => seek(t.startMs ?? 0)} aria-label={`Play from ${mmss(t.startMs)}`}>
                      {mmss(t.startMs)}
                    </button>
                  ) : (
                    mmss(t.startMs)
                  )}
                </span>
                <span className="hist-speaker">{titleCase(t.speaker)}</span>
                <span className="hist-text">
                  {t.text}
                  {t.interrupted && (
                    <>
                      {" "}
                      <Badge tone="warn">interrupted</Badge>
                    </>
                  )}
                </span>
                <span className={`hist-conf${typeof t.confidence === "number" && t.confidence < 0.6 ? " low" : ""}`}>
                  {typeof t.confidence === "number" ? `${Math.round(t.confidence * 100)}% conf.` : ""}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <CallMemories call={c} />
      <Analytics a={analytics.data} loading={analytics.loading} error={analytics.error} retry={analytics.reload} />

      <section className="card" aria-labelledby="call-system">
        <h2 id="call-system">System</h2>
        <dl className="hist-dl cols">
          <dt>Speech to text</dt>
          <dd>{str(obj(sys.stt).provider) ?? analytics.data?.systemConfig?.sttProvider ?? "—"}</dd>
          <dt>Text to speech</dt>
          <dd>
            {str(obj(sys.tts).provider) ?? analytics.data?.systemConfig?.ttsProvider ?? "—"}
            {str(obj(sys.tts).voice) && ` (${str(obj(sys.tts).voice)})`}
          </dd>
          <dt>Brain</dt>
          <dd>{str(obj(sys.brain).kind) ?? analytics.data?.systemConfig?.llmProvider ?? "—"}</dd>
          <dt>SIP trunk</dt>
          <dd>{analytics.data?.systemConfig?.sipProvider ?? "—"}</dd>
          <dt>Codec</dt>
          <dd>{str(sys.codec) ?? "—"}</dd>
          <dt>Avg. response time</dt>
          <dd>{avgResponseMs === null ? "—" : `${Math.round(avgResponseMs)} ms over ${turns.length} turns`}</dd>
          <dt>RTP packets lost</dt>
          <dd>{typeof obj(sys.rtp).packetsLost === "number" ? String(obj(sys.rtp).packetsLost) : "—"}</dd>
          <dt>Cost</dt>
          <dd>{typeof analytics.data?.systemConfig?.totalCost === "number" ? analytics.data.systemConfig.totalCost.toFixed(4) : "—"}</dd>
        </dl>
      </section>
    </>
  );
}

function CallMemories({ call }: { call: Call }) {
  const mem = useAsync(
    () =>
      call.contactId
        ? get<Page<Memory>>(`/api/contacts/${call.contactId}/memories?limit=500`).then((p) => p.items.filter((m) => m.callId === call.id))
        : Promise.resolve([] as Memory[]),
    [call.id, call.contactId],
  );
  return (
    <section className="card" aria-labelledby="call-memories">
      <h2 id="call-memories">Memories from this call</h2>
      {mem.loading && !mem.data && <Loading what="Loading memories" />}
      <ErrorBanner error={mem.error} onRetry={mem.reload} />
      {mem.data && mem.data.length === 0 && <Empty>No memories were saved from this call.</Empty>}
      {mem.data && mem.data.length > 0 && (
        <ul className="hist-memories" aria-label="Memories from this call">
          {mem.data.map((m) => (
            <li key={m.id}>
              {m.content} <Badge tone={m.source === "auto" ? "info" : "neutral"}>{m.source}</Badge>
            </li>
          ))}
        </ul>
      )}
      {call.contactId && (
        <p>
          <Link to={`/contacts/${call.contactId}`}>Manage the contact's memories</Link>
        </p>
      )}
    </section>
  );
}

function Analytics({ a, loading, error, retry }: { a: CallAnalytics | null | undefined; loading: boolean; error: ApiError | null; retry: () => void }) {
  if (loading && a === undefined) return <Loading what="Loading analytics" />;
  if (error) return <ErrorBanner error={error} onRetry={retry} />;
  if (!a) return null; // no analytics for this call: nothing to show
  const talk = a.agentTalkMs + a.callerTalkMs;
  return (
    <section className="card" aria-labelledby="call-analytics">
      <h2 id="call-analytics">Analytics</h2>
      <div className="grid four hist-stats">
        <div>
          <div className="stat">{percent(a.conversionProbability)}</div>
          <div className="stat-label">Conversion probability</div>
        </div>
        <div>
          <div className="stat">{percent(a.scriptAdherence)}</div>
          <div className="stat-label">Script adherence</div>
        </div>
        <div>
          <div className="stat">{a.overallSentiment ? titleCase(a.overallSentiment) : "—"}</div>
          <div className="stat-label">Overall sentiment</div>
        </div>
        <div>
          <div className="stat">
            {a.objectivesCompleted}/{a.objectivesTotal}
          </div>
          <div className="stat-label">Objectives met</div>
        </div>
      </div>
      {talk > 0 && (
        <div className="hist-talk">
          <span className="stat-label">Talk time: agent {percent(a.agentTalkShare)}, caller {percent(100 - (a.agentTalkShare ?? 0))}</span>
          <div className="hist-talkbar" role="img" aria-label={`Agent talked ${percent(a.agentTalkShare)} of the time`}>
            <div style={{ width: `${(a.agentTalkMs / talk) * 100}%` }} />
          </div>
        </div>
      )}
      <div className="grid three">
        <div>
          <h3>Objectives</h3>
          {a.objectives.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <ul className="hist-plain">
              {a.objectives.map((o) => (
                <li key={o.id}>
                  <span aria-hidden="true">{o.status === "completed" ? "✓" : "○"}</span> {o.title}{" "}
                  <span className="hist-sr">({o.status})</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Phases</h3>
          {a.phases.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <ul className="hist-plain">
              {a.phases.map((p) => (
                <li key={p.id}>
                  {titleCase(p.name)}{" "}
                  <span className="muted">{p.startTime ? `${p.startTime}–${p.endTime ?? ""}` : p.status}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Next actions</h3>
          {a.nextActions.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <ul className="hist-plain">
              {a.nextActions.map((n) => (
                <li key={n.id}>
                  {n.action}
                  {n.reason && <div className="muted small">{n.reason}</div>}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {a.coaching.length > 0 && (
        <>
          <h3>Coaching</h3>
          <ul className="hist-plain">
            {a.coaching.map((k) => (
              <li key={k.id}>
                <Badge tone={k.type === "warning" ? "warn" : k.type === "positive" ? "good" : "info"}>{k.type}</Badge> <strong>{k.title}</strong> —{" "}
                {k.description}
              </li>
            ))}
          </ul>
        </>
      )}
      {a.supervisorActions.length > 0 && (
        <>
          <h3>Supervisor actions</h3>
          <ul className="hist-plain">
            {a.supervisorActions.map((s) => (
              <li key={s.id}>
                <span className="muted">{mmss(s.callTimeMs)}</span> {titleCase(s.action.toLowerCase())}
                {s.supervisorName && ` by ${s.supervisorName}`}
                {typeof s.details?.note === "string" && ` — ${s.details.note}`}
                {typeof s.details?.text === "string" && ` — ${s.details.text}`}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
