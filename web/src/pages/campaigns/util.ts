import { useEffect, useState } from "react";
import { get, query, type Page } from "../../lib/api";
import { realtime, type ConnectionState } from "../../lib/realtime";

/** Every item of a list endpoint, following nextCursor (at most `maxPages` pages of 500). */
export async function fetchAll<T>(
  path: string,
  params: Record<string, string | number | undefined> = {},
  maxPages = 20,
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await get<Page<T>>(query(path, { ...params, limit: 500, cursor }));
    items.push(...page.items);
    if (!page.nextCursor) return { items, complete: true };
    cursor = page.nextCursor;
  }
  return { items, complete: false };
}

/** The statuses a call record ends in (Call.status); anything else is still live. */
const FINAL_CALL_STATUSES = new Set(["completed", "failed", "no_answer", "busy", "cancelled"]);
export function callIsLive(status: string | null, endedAt: string | null): boolean {
  return !endedAt && !FINAL_CALL_STATUSES.has(status ?? "");
}

export const JOB_ACTIVE = new Set(["pending", "running"]);

/** IANA zones the browser knows (for the calling window's time zone field). */
export function timeZones(): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    /* older browser: free text only */
  }
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function delimiterName(d: string | undefined): string {
  if (d === undefined) return "—";
  const names: Record<string, string> = { ",": "comma (,)", ";": "semicolon (;)", "\t": "tab", "|": "pipe (|)" };
  return names[d] ?? JSON.stringify(d);
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

export function describeWindow(w: { start: string; end: string; timezone: string; daysOfWeek?: number[] } | null): string {
  if (!w) return "any time (callee local hours still apply)";
  const days = w.daysOfWeek && w.daysOfWeek.length < 7 ? ", " + w.daysOfWeek.map((d) => WEEKDAYS[d - 1]).join(" ") : ", every day";
  return `${w.start}–${w.end} ${w.timezone}${days}`;
}

/** The realtime socket's state: connecting, open or closed (reconnecting). */
export function useConnectionState(): ConnectionState {
  const [state, setState] = useState<ConnectionState>(realtime.state);
  useEffect(() => {
    setState(realtime.state);
    return realtime.onState(setState);
  }, []);
  return state;
}
