// The campaign's configuration (PATCH /api/campaigns/{id}): purpose, priority,
// start/end dates, active hours (days as the swarm specification writes them,
// 0 = Sunday), min/max agents, the autoscaling/recording/analytics switches,
// pace, retries and the lead filter. A running campaign takes the new pace,
// agents and hours at once (src/campaign/swarm.hpp SwarmService::update).
import { type FormEvent, useMemo, useState } from "react";
import { patch } from "../../../lib/api";
import { ErrorBanner, Field, unmatchedError } from "../../../lib/ui";
import type { Campaign } from "../types";
import { browserTimeZone, timeZones } from "../util";
import { LEAD_STATUSES, PRIORITIES, PURPOSES, SPEC_DAYS, campaignPath, num, useAction } from "./common";

interface ActiveHours {
  start: string;
  end: string;
  timezone: string;
  daysOfWeek?: number[];
}
interface LeadFilter {
  minLeadScore?: number;
  maxAttempts?: number;
  includeStatuses?: string[];
  excludeStatuses?: string[];
}

/** An ISO instant as the value of a datetime-local input (the browser's local time). */
function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
const statusList = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

const SHOWN = [
  "purpose", "priority", "startDate", "endDate", "activeHours", "activeHours.start", "activeHours.end", "activeHours.timezone",
  "activeHours.daysOfWeek", "minAgents", "maxAgents", "callsPerSecond", "retry", "retry.maxAttempts", "retry.backoffMinutes",
  "leadFilter", "leadFilter.minLeadScore", "leadFilter.maxAttempts", "leadFilter.includeStatuses", "leadFilter.excludeStatuses",
];

export function ConfigForm({ campaign, onSaved }: { campaign: Campaign; onSaved: (c: Campaign) => void }) {
  const hours = campaign.activeHours as ActiveHours | null;
  const filter = (campaign.leadFilter ?? {}) as LeadFilter;
  const retry = (campaign.retry ?? {}) as { maxAttempts?: number; backoffMinutes?: number };
  const zones = useMemo(timeZones, []);
  const [v, setV] = useState({
    purpose: campaign.purpose as string,
    priority: campaign.priority as string,
    startDate: toLocalInput(campaign.startDate),
    endDate: toLocalInput(campaign.endDate),
    start: hours?.start ?? "09:00",
    end: hours?.end ?? "17:00",
    timezone: hours?.timezone ?? browserTimeZone(),
    minAgents: String(campaign.minAgents),
    maxAgents: String(campaign.maxAgents),
    callsPerSecond: String(campaign.callsPerSecond),
    maxAttempts: String(retry.maxAttempts ?? 3),
    backoffMinutes: String(retry.backoffMinutes ?? 30),
    minLeadScore: filter.minLeadScore === undefined ? "" : String(filter.minLeadScore),
    filterMaxAttempts: filter.maxAttempts === undefined ? "" : String(filter.maxAttempts),
    includeStatuses: (filter.includeStatuses ?? []).join(", "),
    excludeStatuses: (filter.excludeStatuses ?? []).join(", "),
  });
  const [useHours, setUseHours] = useState(hours !== null);
  const [days, setDays] = useState<number[]>(hours?.daysOfWeek ?? [1, 2, 3, 4, 5]);
  const [flags, setFlags] = useState({
    autoscalingEnabled: campaign.autoscalingEnabled,
    recordingEnabled: campaign.recordingEnabled,
    analyticsEnabled: campaign.analyticsEnabled,
  });
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const act = useAction();
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => {
    setSaved(false);
    setV((x) => ({ ...x, [k]: e.target.value }));
  };

  function check(): Record<string, string> {
    const e: Record<string, string> = {};
    const int = (k: keyof typeof v, field: string, lo: number, hi: number, optional = false) => {
      if (optional && v[k].trim() === "") return;
      const n = num(v[k]);
      if (n === undefined || !Number.isInteger(n) || n < lo || n > hi) e[field] = `must be an integer from ${lo} to ${hi}`;
    };
    int("minAgents", "minAgents", 0, 1000);
    int("maxAgents", "maxAgents", 1, 1000);
    if (!e.minAgents && !e.maxAgents && Number(v.minAgents) > Number(v.maxAgents)) e.minAgents = "minAgents must not exceed maxAgents";
    const cps = num(v.callsPerSecond);
    if (cps === undefined || cps < 0.01 || cps > 1000) e.callsPerSecond = "must be a number from 0.01 to 1000";
    int("maxAttempts", "retry.maxAttempts", 1, 10);
    const b = num(v.backoffMinutes);
    if (b === undefined || b < 0 || b > 10080) e["retry.backoffMinutes"] = "must be a number of minutes from 0 to 10080";
    if (v.minLeadScore.trim() !== "") {
      const s = num(v.minLeadScore);
      if (s === undefined || s < 0 || s > 100) e["leadFilter.minLeadScore"] = "must be a number from 0 to 100";
    }
    int("filterMaxAttempts", "leadFilter.maxAttempts", 1, 10, true);
    for (const [k, f] of [["includeStatuses", "leadFilter.includeStatuses"], ["excludeStatuses", "leadFilter.excludeStatuses"]] as const) {
      const bad = statusList(v[k]).filter((s) => !(LEAD_STATUSES as readonly string[]).includes(s));
      if (bad.length) e[f] = `unknown lead status ${bad.join(", ")}: use ${LEAD_STATUSES.join(", ")}`;
    }
    const sd = fromLocalInput(v.startDate), ed = fromLocalInput(v.endDate);
    if (sd && ed && ed <= sd) e.endDate = "must be after startDate";
    if (useHours) {
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v.start)) e["activeHours.start"] = 'must be "HH:MM" (24-hour)';
      if (!/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/.test(v.end)) e["activeHours.end"] = 'must be "HH:MM" (24-hour, up to 24:00)';
      if (!v.timezone.trim()) e["activeHours.timezone"] = "is required";
      if (days.length === 0) e["activeHours.daysOfWeek"] = "choose at least one day";
    }
    return e;
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setSaved(false);
    const errs = check();
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const leadFilter: LeadFilter = {};
    if (v.minLeadScore.trim() !== "") leadFilter.minLeadScore = Number(v.minLeadScore);
    if (v.filterMaxAttempts.trim() !== "") leadFilter.maxAttempts = Number(v.filterMaxAttempts);
    if (statusList(v.includeStatuses).length) leadFilter.includeStatuses = statusList(v.includeStatuses);
    if (statusList(v.excludeStatuses).length) leadFilter.excludeStatuses = statusList(v.excludeStatuses);
    const r = await act.run(() =>
      patch<Campaign>(campaignPath(campaign.id), {
        purpose: v.purpose,
        priority: v.priority,
        startDate: fromLocalInput(v.startDate),
        endDate: fromLocalInput(v.endDate),
        activeHours: useHours ? { start: v.start, end: v.end, timezone: v.timezone.trim(), daysOfWeek: [...days].sort((a, b) => a - b) } : null,
        minAgents: Number(v.minAgents),
        maxAgents: Number(v.maxAgents),
        callsPerSecond: Number(v.callsPerSecond),
        retry: { maxAttempts: Number(v.maxAttempts), backoffMinutes: Number(v.backoffMinutes) },
        leadFilter,
        ...flags,
      }),
    );
    if (r) {
      setSaved(true);
      onSaved(r);
    }
  }

  const err = (k: string) => local[k] ?? act.error?.fields[k];
  const text = (label: string, k: keyof typeof v, field: string, hint?: string, type = "text") => (
    <Field label={label} error={err(field)} hint={hint}>
      {(id, d) => (
        <input id={id} aria-describedby={d} type={type} step={type === "number" ? "any" : undefined} value={v[k]} onChange={set(k)}
          list={k === "timezone" ? "swarm-zones" : undefined} autoComplete="off" />
      )}
    </Field>
  );
  const select = (label: string, k: keyof typeof v, options: readonly string[]) => (
    <Field label={label} error={err(k)}>
      {(id, d) => (
        <select id={id} aria-describedby={d} value={v[k]} onChange={set(k)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <form className="swarm-form" onSubmit={submit} noValidate aria-labelledby="swarm-config-title">
      <h3 id="swarm-config-title">Configuration</h3>
      <ErrorBanner error={unmatchedError(act.error, SHOWN)} />
      <div className="campaigns-form-grid">
        {select("Campaign purpose", "purpose", PURPOSES)}
        {select("Campaign priority", "priority", PRIORITIES)}
        {text("Start date", "startDate", "startDate", "Starts by itself then (your local time).", "datetime-local")}
        {text("End date", "endDate", "endDate", "Stops by itself then.", "datetime-local")}
        {text("Min agents", "minAgents", "minAgents", "0–1000.", "number")}
        {text("Max agents", "maxAgents", "maxAgents", "1–1000.", "number")}
        {text("Pace (calls per second)", "callsPerSecond", "callsPerSecond", "0.01–1000.", "number")}
        {text("Retry attempts", "maxAttempts", "retry.maxAttempts", "1–10 calls per lead.", "number")}
        {text("Retry backoff (minutes)", "backoffMinutes", "retry.backoffMinutes", "0–10080.", "number")}
      </div>
      <fieldset className="campaigns-fieldset">
        <legend>Switches</legend>
        {(
          [
            ["autoscalingEnabled", "Autoscaling (rules run every 10 s)"],
            ["recordingEnabled", "Record calls"],
            ["analyticsEnabled", "Count calls in analytics"],
          ] as const
        ).map(([k, label]) => (
          <label key={k} className="check">
            <input type="checkbox" checked={flags[k]} onChange={(e) => { setSaved(false); setFlags((f) => ({ ...f, [k]: e.target.checked })); }} />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset className="campaigns-fieldset">
        <legend>Active hours</legend>
        <label className="check">
          <input type="checkbox" checked={useHours} onChange={(e) => { setSaved(false); setUseHours(e.target.checked); }} />
          Only call during active hours
        </label>
        {err("activeHours") && (
          <small className="field-error" role="alert">
            {err("activeHours")}
          </small>
        )}
        {useHours && (
          <>
            <div className="campaigns-form-grid">
              {text("Hours start", "start", "activeHours.start", "HH:MM, 24-hour.")}
              {text("Hours end", "end", "activeHours.end", "HH:MM; 24:00 = midnight.")}
              {text("Hours time zone", "timezone", "activeHours.timezone", "IANA name.")}
              <datalist id="swarm-zones">
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </div>
            <fieldset className="campaigns-days">
              <legend>Active days</legend>
              {SPEC_DAYS.map((name, i) => (
                <label key={name} className="campaigns-day">
                  <input type="checkbox" checked={days.includes(i)}
                    onChange={(e) => { setSaved(false); setDays((ds) => (e.target.checked ? [...ds, i] : ds.filter((x) => x !== i))); }} />
                  {name}
                </label>
              ))}
              {err("activeHours.daysOfWeek") && (
                <small className="field-error" role="alert">
                  {err("activeHours.daysOfWeek")}
                </small>
              )}
            </fieldset>
          </>
        )}
      </fieldset>
      <fieldset className="campaigns-fieldset">
        <legend>Lead filter</legend>
        <div className="campaigns-form-grid">
          {text("Min lead score", "minLeadScore", "leadFilter.minLeadScore", "0–100; empty: any.", "number")}
          {text("Max attempts per lead", "filterMaxAttempts", "leadFilter.maxAttempts", "1–10; empty: the retry attempts.", "number")}
          {text("Include lead statuses", "includeStatuses", "leadFilter.includeStatuses", `Comma-separated: ${LEAD_STATUSES.join(", ")}.`)}
          {text("Exclude lead statuses", "excludeStatuses", "leadFilter.excludeStatuses", "Comma-separated.")}
        </div>
      </fieldset>
      <div className="swarm-row-actions">
        <button type="submit" className="btn primary" disabled={act.busy}>
          {act.busy ? "Saving…" : "Save configuration"}
        </button>
        <span role="status" className="muted">{saved ? "Saved." : ""}</span>
      </div>
    </form>
  );
}
