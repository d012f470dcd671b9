// Data shapes of the live monitor (src/live/live_monitor.cpp, store/live.cpp)
// and the folds of the realtime queries `liveCalls` and `liveCall {id}`.
import type { RealtimeMessage } from "../../lib/realtime";

export const LIVE_STATUSES = ["connecting", "ringing", "connected", "on-hold", "transferring"] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];
export type Speaker = "agent" | "caller" | "supervisor";
export type SentimentWord = "positive" | "neutral" | "negative";

/** A live_calls row (OpenAPI LiveCall). */
export interface LiveCall {
  id: string;
  callId: string;
  agentId: string | null;
  agentName: string | null;
  customerName: string | null;
  customerPhone: string | null;
  campaignId: string | null;
  campaignName: string | null;
  direction: "inbound" | "outbound";
  status: LiveStatus;
  startTime: string;
  duration: number;
  currentPhase: string | null;
  currentSpeaker: Speaker | null;
  agentGain: number;
  customerGain: number;
  isRecording: boolean;
  sipEndpoint: string | null;
  endedAt: string | null;
  /** Overall sentiment so far (null before the first insights). */
  sentiment?: SentimentWord | null;
}

export interface TranscriptLine {
  id: string;
  entryId: string;
  speaker: Speaker;
  text: string;
  timestamp: string;
  startMs: number;
  endMs: number;
  sentiment: SentimentWord | null;
  confidence: number;
  isFinal: boolean;
  interrupted: boolean;
  order: number;
}

// The insight tables. A snapshot's rows carry id/order/timestamps; an
// `insights` change carries the same fields without them (the whole list).
export interface Phase {
  name: string;
  status: "pending" | "active" | "completed" | "skipped";
  startTime: string | null;
  endTime: string | null;
  duration: number | null;
  quality: number | null;
}
export interface Objective {
  key: string;
  title: string;
  status: "pending" | "in_progress" | "completed" | "failed";
}
export interface NextAction {
  type: "immediate" | "next" | "follow-up";
  action: string;
  reason: string | null;
  priority: number | null;
}
export interface Coaching {
  key: string;
  type: "positive" | "warning" | "suggestion";
  title: string;
  description: string;
  priority: number;
  isActive: boolean;
}
export interface Moment {
  text: string;
  at: string | null;
}
export interface Sentiment {
  positive: number;
  neutral: number;
  negative: number;
  overall: SentimentWord;
  trend: "improving" | "stable" | "declining";
  lastPositive: Moment | null;
  lastNegative: Moment | null;
}
export interface Metrics {
  scriptAdherence: number | null;
  agentConfidence: number | null;
  conversationQuality: number | null;
  prospectEngagement: number | null;
  voiceEnergy: "LOW" | "MEDIUM" | "HIGH" | null;
  responseQuality: "POOR" | "FAIR" | "GOOD" | "EXCELLENT" | null;
  questionFrequency: number | null;
  interestSignals: "WEAK" | "MODERATE" | "STRONG" | null;
  conversionProbability: number | null;
  demoAcceptanceProbability: number | null;
  immediateCloseProbability: number | null;
}
export interface SystemConfig {
  sipProvider: string | null;
  sipStatus: string | null;
  sttProvider: string | null;
  sttStatus: string | null;
  llmProvider: string | null;
  llmStatus: string | null;
  ttsProvider: string | null;
  ttsStatus: string | null;
  apiLatencyMs: number | null;
  errorRate: number | null;
  queueDepth: number | null;
  costPerMinute: number | null;
  totalCost: number | null;
}

export const SUPERVISOR_ACTIONS = [
  "COACH_AGENT",
  "JOIN_CALL",
  "TAKE_OVER",
  "RELEASE",
  "TRANSFER_CALL",
  "END_CALL",
  "ADD_NOTE",
  "BOOKMARK_MOMENT",
  "FLAG_FOR_REVIEW",
] as const;
export type SupervisorActionName = (typeof SUPERVISOR_ACTIONS)[number];

export interface SupervisorAction {
  id: string;
  action: SupervisorActionName;
  details: Record<string, unknown>;
  supervisorId: string;
  supervisorName: string;
  timestamp: string;
  callTimeMs: number;
  order: number;
}

/** The call intelligence the live monitor recomputes and publishes whole (an `insights` change). */
export interface Insights {
  phases: Phase[];
  objectives: Objective[];
  nextActions: NextAction[];
  coaching: Coaching[];
  sentiment: Sentiment | null;
  metrics: Metrics | null;
}

/** The `liveCall {id}` snapshot (OpenAPI LiveCallView). */
export interface LiveCallView extends Insights {
  call: LiveCall;
  transcript: TranscriptLine[];
  systemConfig: SystemConfig | null;
  supervisorActions: SupervisorAction[];
}

/** What the call's analytics record says about its end (`ended` change). */
export interface EndDetails {
  outcome: string | null;
  status: string | null;
  errorMessage: string | null;
}

// ---- liveCalls ---------------------------------------------------------

/** A row of the list with the moment its duration was last reported (for the ticking clock). */
export interface ListedCall extends LiveCall {
  receivedAt: number;
}
export type CallList = Map<string, ListedCall>;

/** A supervisor alert (issue 18 §6; docs/REALTIME.md): an escalation during a call, or a call flagged for review. */
export interface SupervisorAlert {
  kind: "escalation" | "quality";
  callId: string;
  campaignId?: string;
  trigger?: string;
  detail?: string;
  utterance?: string;
  transferTo?: string | null;
  agentName?: string;
  customerName?: string;
  qualityScore?: number;
  successThreshold?: number;
  reason?: string;
  receivedAt: number;
}
/** The live list and the alerts seen since the page opened (newest first, at most MAX_ALERTS). */
export interface LiveList {
  calls: CallList;
  alerts: SupervisorAlert[];
}
export const MAX_ALERTS = 20;

type ListChange =
  | { kind: "upsert"; call: LiveCall }
  | { kind: "remove"; callId: string }
  | { kind: "alert"; alert: Omit<SupervisorAlert, "receivedAt"> };

/** Folds `liveCalls` with its alerts: alerts are events, kept across snapshots. */
export function foldLiveList(state: LiveList, msg: RealtimeMessage): LiveList {
  if (msg.type === "change" && (msg.data as ListChange).kind === "alert") {
    const a = (msg.data as { alert: Omit<SupervisorAlert, "receivedAt"> }).alert;
    return { ...state, alerts: [{ ...a, receivedAt: Date.now() }, ...state.alerts].slice(0, MAX_ALERTS) };
  }
  const calls = foldCallList(state.calls, msg);
  return calls === state.calls ? state : { ...state, calls };
}

/** Folds `liveCalls`: a snapshot replaces the list; changes upsert or remove by callId. */
export function foldCallList(state: CallList, msg: RealtimeMessage): CallList {
  const now = Date.now();
  if (msg.type === "snapshot") {
    const next: CallList = new Map();
    for (const c of (msg.data as LiveCall[]) ?? []) next.set(c.callId, { ...c, receivedAt: now });
    return next;
  }
  if (msg.type !== "change") return state;
  const ch = msg.data as ListChange;
  const next = new Map(state);
  if (ch.kind === "upsert") next.set(ch.call.callId, { ...ch.call, receivedAt: now });
  else if (ch.kind === "remove") next.delete(ch.callId);
  else return state;
  return next;
}

// ---- liveCall {id} -----------------------------------------------------

export interface CallState {
  view: LiveCallView | null;
  /** When view.call.duration was last reported (Date.now()). */
  durationAt: number;
  ended: boolean;
  end: EndDetails | null;
}

export const EMPTY_CALL: CallState = { view: null, durationAt: 0, ended: false, end: null };

type CallChange =
  | { kind: "call"; call: LiveCall }
  | { kind: "transcript"; line: TranscriptLine }
  | { kind: "levels"; agentGain: number; customerGain: number; currentSpeaker: Speaker | null; duration: number }
  | ({ kind: "insights" } & Insights)
  | { kind: "systemConfig"; config: SystemConfig }
  | { kind: "action"; action: SupervisorAction }
  | { kind: "ended"; analytics: { details?: Partial<EndDetails> } | null };

/** Inserts or replaces a transcript line by entryId (an interim is replaced by its final; order is fixed at first insert). */
function upsertLine(lines: TranscriptLine[], line: TranscriptLine): TranscriptLine[] {
  const i = lines.findIndex((l) => l.entryId === line.entryId);
  if (i >= 0) {
    if (lines[i].isFinal && !line.isFinal) return lines; // a late interim never overwrites a final
    const next = lines.slice();
    next[i] = line;
    return next;
  }
  const next = [...lines, line];
  if (lines.length > 0 && lines[lines.length - 1].order > line.order) next.sort((a, b) => a.order - b.order);
  return next;
}

/**
 * Folds `liveCall {id}`: the snapshot is the whole view; each change updates
 * one part of it, as live_monitor.cpp publishes them: `call` (the live_calls
 * row), `transcript` (one line, upsert by entryId), `levels` (gains, speaker,
 * duration every 200 ms), `insights` (phases, objectives, next actions,
 * coaching, sentiment and metrics, each replaced whole), `systemConfig`,
 * `action` (a supervisor action appended), `ended` (with the analytics).
 */
export function foldCall(state: CallState, msg: RealtimeMessage): CallState {
  const now = Date.now();
  if (msg.type === "snapshot") {
    const view = msg.data as LiveCallView;
    return { view, durationAt: now, ended: !!view.call.endedAt, end: null };
  }
  if (msg.type !== "change" || !state.view) return state;
  const ch = msg.data as CallChange;
  const v = state.view;
  switch (ch.kind) {
    case "call":
      return { ...state, view: { ...v, call: { ...v.call, ...ch.call } }, durationAt: now, ended: state.ended || !!ch.call.endedAt };
    case "transcript":
      return { ...state, view: { ...v, transcript: upsertLine(v.transcript, ch.line) } };
    case "levels":
      return {
        ...state,
        durationAt: now,
        view: {
          ...v,
          call: {
            ...v.call,
            agentGain: ch.agentGain,
            customerGain: ch.customerGain,
            currentSpeaker: ch.currentSpeaker,
            duration: ch.duration,
          },
        },
      };
    case "insights":
      return {
        ...state,
        view: {
          ...v,
          phases: ch.phases ?? v.phases,
          objectives: ch.objectives ?? v.objectives,
          nextActions: ch.nextActions ?? v.nextActions,
          coaching: ch.coaching ?? v.coaching,
          sentiment: ch.sentiment ?? v.sentiment,
          metrics: ch.metrics ?? v.metrics,
        },
      };
    case "systemConfig":
      return { ...state, view: { ...v, systemConfig: { ...(v.systemConfig ?? {}), ...ch.config } as SystemConfig } };
    case "action":
      return v.supervisorActions.some((a) => a.id === ch.action.id)
        ? state
        : { ...state, view: { ...v, supervisorActions: [...v.supervisorActions, ch.action] } };
    case "ended": {
      const d = ch.analytics?.details ?? {};
      return {
        ...state,
        ended: true,
        end: { outcome: d.outcome ?? null, status: d.status ?? null, errorMessage: d.errorMessage ?? null },
        view: { ...v, call: { ...v.call, currentSpeaker: null, agentGain: 0, customerGain: 0 } },
      };
    }
    default:
      return state;
  }
}

/** Seconds in call now: the last reported duration plus the time since, while the call is answered. */
export function tickingDuration(c: Pick<LiveCall, "duration" | "status">, at: number, now: number, ended = false): number {
  const answered = c.status === "connected" || c.status === "on-hold" || c.status === "transferring";
  return answered && !ended ? c.duration + Math.max(0, (now - at) / 1000) : c.duration;
}

/** "1:05" from milliseconds in call. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export const SPEAKER_LABEL: Record<Speaker, string> = { agent: "Agent", caller: "Caller", supervisor: "Supervisor" };
