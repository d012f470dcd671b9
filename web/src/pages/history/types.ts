// Shapes of the API records the history screens read: the Call, Contact,
// Memory and CallAnalytics schemas of the OpenAPI document (generated:
// src/api/types.ts). Only a call's JSON columns, which the document types as
// free-form, are narrowed here to what the call service writes into them.
import type { Call as ApiCall, CallAnalytics, Contact, Memory } from "../../api/types";

export type { CallAnalytics, Contact, Memory };

export const CALL_STATUSES = ["completed", "failed", "no_answer", "busy", "cancelled"] as const satisfies readonly ApiCall["status"][];
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
] as const satisfies readonly NonNullable<ApiCall["outcome"]>[];

/** One line of a stored call's transcript (the call record's `transcript` column). */
export interface TranscriptEntry {
  speaker: string;
  text: string;
  startMs?: number;
  endMs?: number;
  interrupted?: boolean;
  confidence?: number | null;
}

export type Call = Omit<ApiCall, "transcript" | "systemInfo" | "turnMetrics"> & {
  transcript: TranscriptEntry[];
  systemInfo: Record<string, unknown>;
  turnMetrics: Array<Record<string, number>>;
};

export interface AgentRef {
  id: string;
  name: string;
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
