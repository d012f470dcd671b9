// The Swarm overview's "Metrics by period" (issue 18 §10): charts of
// GET /api/campaigns/{id}/metrics?period=hourly|daily|weekly|monthly — calls
// and connected calls, connection/conversion/abandon rates, average ring time,
// the funnel, peak hours and best days (0 = Sunday) — each with a hidden table
// of its figures; the CSV exports of the calls and of the metrics by the
// chosen period; and the compliance figures shown in the overview's header.
import { useState } from "react";
import { ApiError, get, query } from "../../../lib/api";
import { Chart } from "../../../lib/charts";
import { download } from "../../../lib/download";
import { useAsync } from "../../../lib/hooks";
import { ErrorBanner, Loading } from "../../../lib/ui";
import type { Schemas } from "../../../api/types";
import { campaignPath, problemText, SPEC_DAYS } from "./common";

export type Metrics = Schemas["Metrics"];
export const PERIODS = ["hourly", "daily", "weekly", "monthly"] as const;
export type Period = (typeof PERIODS)[number];

/** A period's start as a short local label in the response's time zone. */
function periodLabel(iso: string, period: Period, timeZone: string): string {
  const d = new Date(iso);
  const opts: Intl.DateTimeFormatOptions =
    period === "hourly" ? { month: "short", day: "numeric", hour: "2-digit", hour12: false }
    : period === "monthly" ? { year: "numeric", month: "short" }
    : { month: "short", day: "numeric" };
  try {
    return d.toLocaleString("en-GB", { ...opts, timeZone });
  } catch {
    return d.toLocaleString("en-GB", opts);
  }
}

/** Milliseconds as "1.2 s". */
export function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? "—" : `${(v / 1000).toFixed(1)} s`;
}

/** A rate of the metrics API, which gives percentages 0–100 (src/store/analytics.cpp), as "42.0%". */
export function rate(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : `${v.toFixed(1)}%`;
}
const pctFmt = (v: number) => rate(v);

/** The campaign's compliance figures for the overview's header (all time, last 30 days, the cap). */
export function complianceFigures(m: Metrics | undefined, abandonCapPercent: number | null | undefined): [string, string][] {
  const c = m?.compliance;
  return [
    ["Abandon rate", c ? rate(c.abandonRate) : "—"],
    ["Abandon rate (30 days)", c ? rate(c.last30Days.abandonRate) : "—"],
    ["Average ring time", c ? ms(c.averageRingTimeMs) : "—"],
    ["Abandon cap", abandonCapPercent === null || abandonCapPercent === undefined ? "—" : `${abandonCapPercent}%`],
  ];
}

/** Hourly figures are read for the last HOURLY_DAYS days: a chart of a year of hours (8,760 bars) says nothing, and
 * the request stays small however long the campaign runs. The other periods cover the whole campaign. */
export const HOURLY_DAYS = 7;

export function useCampaignMetrics(campaignId: string, period: Period, tick: unknown) {
  return useAsync(() => {
    const from = period === "hourly" ? new Date(Date.now() - HOURLY_DAYS * 86_400_000).toISOString() : undefined;
    return get<Metrics>(query(`${campaignPath(campaignId)}/metrics`, { period, from }));
  }, [campaignId, period, tick]);
}

interface Props {
  campaignId: string;
  period: Period;
  onPeriod: (p: Period) => void;
  metrics: ReturnType<typeof useCampaignMetrics>;
}

export function SwarmMetrics({ campaignId, period, onPeriod, metrics }: Props) {
  const m = metrics.data;
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const exports: [string, string, string][] = [
    ["Export calls (CSV)", query(`${campaignPath(campaignId)}/export.csv`, { type: "calls" }), `campaign-${campaignId}-calls.csv`],
    ["Export metrics (CSV)", query(`${campaignPath(campaignId)}/export.csv`, { type: "metrics", period }), `campaign-${campaignId}-metrics-${period}.csv`],
  ];
  const items = m?.items ?? [];
  const labels = m ? items.map((p) => periodLabel(p.periodStart, period, m.timeZone)) : [];
  return (
    <>
      <div className="swarm-metrics-bar">
        <fieldset className="swarm-period">
          <legend>Period</legend>
          {PERIODS.map((p) => (
            <label key={p}>
              <input type="radio" name={`metrics-period-${campaignId}`} value={p} checked={period === p} onChange={() => onPeriod(p)} />
              {p[0].toUpperCase() + p.slice(1)}
            </label>
          ))}
        </fieldset>
        <div className="swarm-exports" role="group" aria-label="Exports">
          {exports.map(([label, href, name]) => (
            <a key={label} className="btn small" href={href} download={name}
              onClick={(e) => {
                e.preventDefault();
                setExportError(null);
                download(href, name).catch((err: unknown) => setExportError(err instanceof ApiError ? err : new ApiError(0, "Error", String(err), [])));
              }}>
              {label}
            </a>
          ))}
        </div>
      </div>
      {exportError && <p className="field-error" role="alert">{problemText(exportError)}</p>}
      {metrics.error && <ErrorBanner error={metrics.error} onRetry={metrics.reload} />}
      {!m ? (
        !metrics.error && <Loading what="Loading the metrics" />
      ) : (
        <>
          <p className="muted campaigns-small" data-testid="metrics-tz">
            Periods in time zone {m.timeZone}; {items.length} {period} {items.length === 1 ? "period" : "periods"}
            {period === "hourly" ? ` in the last ${HOURLY_DAYS} days` : ""}{m.truncated ? " (the newest 5,000)" : ""}.
          </p>
          <div className="swarm-charts">
            <Chart title={`Calls per period (${period})`} labels={labels}
              series={[{ name: "Calls", values: items.map((p) => p.totalCalls) }, { name: "Connected", values: items.map((p) => p.connectedCalls) }]} />
            <Chart title={`Rates per period (${period})`} labels={labels} format={pctFmt}
              series={[
                { name: "Connection rate", values: items.map((p) => p.connectionRate ?? null) },
                { name: "Conversion rate", values: items.map((p) => p.conversionRate ?? null) },
                { name: "Abandon rate", values: items.map((p) => p.abandonRate ?? null), color: "#cf222e" },
              ]} />
            <Chart title={`Average ring time per period (${period})`} labels={labels} format={ms}
              series={[{ name: "Average ring time", values: items.map((p) => p.averageRingTimeMs ?? null) }]} />
            <Chart title="Funnel" labels={["Made", "Connected", "Interested", "Qualified", "Conversions"]}
              series={[{
                name: "Calls",
                values: (() => {
                  const f = items.reduce((a, p) => ({
                    made: a.made + p.funnel.made, connected: a.connected + p.funnel.connected, interested: a.interested + p.funnel.interested,
                    qualified: a.qualified + p.funnel.qualified, conversions: a.conversions + p.funnel.conversions,
                  }), { made: 0, connected: 0, interested: 0, qualified: 0, conversions: 0 });
                  return [f.made, f.connected, f.interested, f.qualified, f.conversions];
                })(),
              }]} />
            <Chart title="Peak hours (callee's local hour)" labels={m.peakHours.map((h) => String(h.hour).padStart(2, "0"))}
              series={[{ name: "Calls", values: m.peakHours.map((h) => h.totalCalls) }, { name: "Connected", values: m.peakHours.map((h) => h.connectedCalls) }]} />
            <Chart title="Best days (callee's local weekday)" labels={m.bestDays.map((d) => SPEC_DAYS[d.weekday] ?? String(d.weekday))}
              series={[{ name: "Calls", values: m.bestDays.map((d) => d.totalCalls) }, { name: "Conversions", values: m.bestDays.map((d) => d.conversions) }]} />
          </div>
        </>
      )}
    </>
  );
}
