// Shapes of the API records the history screens read (see the OpenAPI
// document: Call, Contact, Memory, CallAnalytics, Settings).

export const CALL_STATUSES = ["completed", "failed", "no_answer", "busy", "cancelled"] as const;
export const CALL_OUTCOMES = [
  "Demo Scheduled",
  "Follow-up Needed",
  "Not Interested",
  "Call Back Later",
  "Wrong Number",
  "No Answer",
  "Voicemail",
  "Transferred",
  "Other",
] as const;

export interface TranscriptEntry {
  speaker: string;
  text: string;
  startMs?: number;
  endMs?: number;
  interrupted?: boolean;
  confidence?: number | null;
}

export interface Call {
  id: string;
  agentId: string;
  contactId: string | null;
  direction: "inbound" | "outbound";
  status: string;
  fromPhone: string | null;
  toPhone: string | null;
  summary: string | null;
  transcript: TranscriptEntry[];
  duration: number | null;
  recordingUrl: string | null;
  recordingExpiresAt: string | null;
  smsSent: boolean;
  smsSentAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  createdAt: string;
  outcome: string | null;
  errorMessage: string | null;
  sipCode: number | null;
  systemInfo: Record<string, unknown>;
  turnMetrics: Array<Record<string, number>>;
  jobId: string | null;
  jobCallId: string | null;
}

export interface AgentRef {
  id: string;
  name: string;
}

export interface Contact {
  id: string;
  name: string;
  phone: string;
  notes: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Memory {
  id: string;
  contactId: string;
  content: string;
  source: "auto" | "manual";
  callId: string | null;
  createdAt: string;
}

export interface CallAnalytics {
  agentTalkMs: number;
  callerTalkMs: number;
  agentTalkShare: number | null;
  conversionProbability: number | null;
  scriptAdherence: number | null;
  overallSentiment: "positive" | "neutral" | "negative" | null;
  finalPhase: string | null;
  objectivesCompleted: number;
  objectivesTotal: number;
  objectives: Array<{ id: string; title: string; status: string }>;
  nextActions: Array<{ id: string; action: string; reason?: string; type?: string }>;
  coaching: Array<{ id: string; title: string; description: string; type: string }>;
  phases: Array<{ id: string; name: string; startTime: string | null; endTime: string | null; status: string }>;
  supervisorActions: Array<{ id: string; action: string; callTimeMs?: number; supervisorName?: string; details?: Record<string, unknown> }>;
  systemConfig: {
    sipProvider?: string;
    sttProvider?: string;
    ttsProvider?: string;
    llmProvider?: string;
    apiLatencyMs?: number;
    totalCost?: number;
    costPerMinute?: number;
  } | null;
}

/** The phone number on the other end of a call. */
export function otherParty(c: Pick<Call, "direction" | "fromPhone" | "toPhone">): string {
  return (c.direction === "inbound" ? c.fromPhone : c.toPhone) || "—";
}

/** "1:05" from milliseconds. */
export function mmss(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return "—";
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
