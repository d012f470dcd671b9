// Shared pieces of the Swarm overview: the API paths, status colours, an
// action runner that keeps the API's problem+json, and the enumerations of the
// swarm specification (as the OpenAPI document lists them).
import { useState } from "react";
import { ApiError } from "../../../lib/api";

export const PURPOSES = ["Discovery", "Support", "Appointment", "Follow-up", "Survey", "Custom"] as const;
export const PRIORITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export const PERSONALITIES = ["PROFESSIONAL", "FRIENDLY", "ENTHUSIASTIC", "CONSULTATIVE"] as const;
export const RULE_TYPES = ["queue_based", "time_based", "performance_based", "cost_based"] as const;
/** The autoscaler's metrics (src/campaign/autoscaler.hpp is_scaling_metric; units in the OpenAPI rule schema). */
export const METRICS = [
  "queue_depth", "wait_time", "success_rate", "connection_rate", "cost_per_hour", "turn_latency",
  "pace_to_finish", "active_agents", "calling_agents", "idle_agents", "hour_of_day", "day_of_week",
] as const;
export const OPERATORS = [">", ">=", "<", "<=", "=="] as const;
export const ACTIONS = ["scale_up", "scale_down", "maintain"] as const;
/** An objective's unit: the four counters, or one of the nine outcomes (src/api/routes/swarm.cpp check_objective). */
export const UNITS = [
  "calls", "connects", "appointments", "conversions", "Demo Scheduled", "Follow-up Needed", "Not Interested",
  "Call Back Later", "Wrong Number", "No Answer", "Voicemail", "Transferred", "Other",
] as const;
export const LEAD_STATUSES = ["new", "contacted", "qualified", "converted", "unqualified", "do_not_call"] as const;
/** The swarm specification's days: 0 = Sunday … 6 = Saturday. */
export const SPEC_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

export type Tone = "good" | "bad" | "warn" | "info" | "neutral";

/** Colour of a swarm agent's status. */
export function agentTone(status: string): Tone {
  return ({ active: "good", idle: "neutral", calling: "info", paused: "warn", offline: "neutral", error: "bad" } as Record<string, Tone>)[status] ?? "neutral";
}

/** Colour of a campaign's status. */
export function campaignTone(status: string): Tone {
  return ({ scheduled: "info", active: "good", paused: "warn", stopped: "bad", completed: "good" } as Record<string, Tone>)[status] ?? "neutral";
}

/** Colour of an activity's status (the specification's success/info/warning/error). */
export function activityTone(status: string): Tone {
  return ({ success: "good", info: "info", warning: "warn", error: "bad" } as Record<string, Tone>)[status] ?? "neutral";
}

export const campaignPath = (id: string) => `/api/campaigns/${encodeURIComponent(id)}`;

/** A fraction 0–1 as "42.0%". */
export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : `${(v * 100).toFixed(digits)}%`;
}

/** Runs API calls one at a time, keeping the last ApiError (cleared by the next run). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run, setError };
}

/** "field: message (status)" of a problem: what the API said, naming the field. */
export function problemText(e: ApiError): string {
  const fields = Object.entries(e.fields);
  const what = fields.length ? fields.map(([f, m]) => `${f}: ${m}`).join("; ") : e.message;
  return e.status ? `${what} (${e.status})` : what;
}

/** A number input's value as a number, or undefined when empty / not a number. */
export function num(v: string): number | undefined {
  if (v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
