// The call view's panels: level meters, phase timeline, objectives, next
// actions, coaching, sentiment gauge and trend, metrics and predictions, and
// the system panel. Charts are plain SVG.
import { Badge, ProgressBar } from "../../lib/ui";
import { titleCase } from "../../lib/format";
import type { Coaching, Metrics, NextAction, Objective, Phase, Sentiment, SystemConfig, TranscriptLine } from "./types";
import { money, num } from "./util";

// ---- levels ------------------------------------------------------------

export function LevelMeter({ label, value, speaking }: { label: string; value: number; speaking: boolean }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className={`live-meter-row${speaking ? " speaking" : ""}`}>
      <span className="live-meter-label">
        {label}
        {speaking && <span className="live-speaking"> · speaking</span>}
      </span>
      <div
        className="live-meter"
        role="meter"
        aria-label={`${label} audio level`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={v}
        aria-valuetext={`${v}%${speaking ? ", speaking" : ""}`}
      >
        <div className="live-meter-fill" style={{ width: `${v}%` }} />
      </div>
      <span className="live-meter-value" aria-hidden="true">
        {v}
      </span>
    </div>
  );
}

// ---- phases ------------------------------------------------------------

const PHASE_MARK: Record<Phase["status"], string> = { pending: "○", active: "●", completed: "✓", skipped: "–" };

function phaseInfo(p: Phase): string {
  const parts: string[] = [];
  if (p.startTime) parts.push(p.startTime);
  if (p.duration !== null && p.duration > 0) parts.push(`${Math.round(p.duration)} s`);
  if (p.quality !== null && (p.status === "active" || p.status === "completed")) parts.push(`quality ${Math.round(p.quality)}`);
  return parts.join(" · ") || (p.status === "skipped" ? "skipped" : "");
}

export function PhaseTimeline({ phases, current }: { phases: Phase[]; current: string | null }) {
  if (phases.length === 0) return <p className="empty">{current ? `Current phase: ${titleCase(current)}` : "No phases yet."}</p>;
  return (
    <ol className="live-phases" aria-label="Call phases">
      {phases.map((p) => (
        <li key={p.name} className={`live-phase ${p.status}`} aria-current={p.status === "active" ? "step" : undefined}>
          <span className="live-phase-mark" aria-hidden="true">
            {PHASE_MARK[p.status]}
          </span>
          <span className="live-phase-name">{titleCase(p.name)}</span>
          <span className="live-phase-info">
            <span className="live-sr-only">{p.status}</span>
            {phaseInfo(p)}
          </span>
        </li>
      ))}
    </ol>
  );
}

// ---- objectives and next actions ----------------------------------------

const OBJ_MARK: Record<Objective["status"], string> = { pending: "☐", in_progress: "◐", completed: "☑", failed: "☒" };

export function Objectives({ items }: { items: Objective[] }) {
  if (items.length === 0) return <p className="empty">No objectives for this call.</p>;
  return (
    <ul className="live-checklist" aria-label="Objectives">
      {items.map((o) => (
        <li key={o.key} className={`live-obj ${o.status}`}>
          <span className="live-obj-mark" aria-hidden="true">
            {OBJ_MARK[o.status]}
          </span>
          <span className="live-obj-title">{o.title}</span>
          <Badge tone={o.status === "completed" ? "good" : o.status === "failed" ? "bad" : o.status === "in_progress" ? "info" : "neutral"}>
            {titleCase(o.status)}
          </Badge>
        </li>
      ))}
    </ul>
  );
}

const ACTION_ORDER: NextAction["type"][] = ["immediate", "next", "follow-up"];

export function NextActions({ items }: { items: NextAction[] }) {
  if (items.length === 0) return <p className="empty">No suggested actions yet.</p>;
  const sorted = [...items].sort(
    (a, b) => ACTION_ORDER.indexOf(a.type) - ACTION_ORDER.indexOf(b.type) || (b.priority ?? 0) - (a.priority ?? 0),
  );
  return (
    <ul className="live-actions-next" aria-label="Next actions">
      {sorted.map((a, i) => (
        <li key={`${a.type}-${a.action}-${i}`}>
          <Badge tone={a.type === "immediate" ? "warn" : a.type === "next" ? "info" : "neutral"}>{titleCase(a.type)}</Badge>{" "}
          <strong>{a.action}</strong>
          {a.reason && <div className="muted live-small">{a.reason}</div>}
        </li>
      ))}
    </ul>
  );
}

// ---- coaching -----------------------------------------------------------

export function CoachingCards({ items }: { items: Coaching[] }) {
  const active = items.filter((c) => c.isActive).sort((a, b) => b.priority - a.priority);
  if (active.length === 0) return <p className="empty">No coaching right now.</p>;
  return (
    <ul className="live-coaching" aria-label="Coaching recommendations">
      {active.map((c) => (
        <li key={c.key} className={`live-coach-card ${c.type}`}>
          <div className="live-coach-head">
            <strong>{c.title}</strong>
            <span className="live-small muted">
              {titleCase(c.type)} · priority {c.priority}
            </span>
          </div>
          {c.description && <p>{c.description}</p>}
        </li>
      ))}
    </ul>
  );
}

// ---- sentiment ------------------------------------------------------------

/** A half-circle gauge of positive − negative share (−100 … +100). */
export function SentimentGauge({ sentiment }: { sentiment: Sentiment | null }) {
  const score = sentiment ? sentiment.positive - sentiment.negative : 0;
  const angle = Math.PI * (1 - (score + 100) / 200); // π (left, negative) … 0 (right, positive)
  const r = 50;
  const cx = 60;
  const cy = 60;
  const nx = cx + (r - 8) * Math.cos(angle);
  const ny = cy - (r - 8) * Math.sin(angle);
  const arc = (from: number, to: number) =>
    `M ${cx + r * Math.cos(from)} ${cy - r * Math.sin(from)} A ${r} ${r} 0 0 1 ${cx + r * Math.cos(to)} ${cy - r * Math.sin(to)}`;
  const label = sentiment
    ? `Sentiment ${sentiment.overall}: ${Math.round(sentiment.positive)}% positive, ${Math.round(sentiment.neutral)}% neutral, ${Math.round(sentiment.negative)}% negative`
    : "No sentiment yet";
  return (
    <figure className="live-gauge">
      <svg viewBox="0 0 120 70" role="img" aria-label={label}>
        <path d={arc(Math.PI, (Math.PI * 2) / 3)} className="live-gauge-neg" />
        <path d={arc((Math.PI * 2) / 3, Math.PI / 3)} className="live-gauge-neu" />
        <path d={arc(Math.PI / 3, 0)} className="live-gauge-pos" />
        <line x1={cx} y1={cy} x2={nx} y2={ny} className="live-gauge-needle" />
        <circle cx={cx} cy={cy} r={4} className="live-gauge-hub" />
      </svg>
      <figcaption>
        <strong className={`live-sent-word ${sentiment?.overall ?? "neutral"}`}>{sentiment ? titleCase(sentiment.overall) : "—"}</strong>
        {sentiment && (
          <span className="muted live-small">
            {" "}
            {Math.round(sentiment.positive)}% positive · {Math.round(sentiment.neutral)}% neutral · {Math.round(sentiment.negative)}%
            negative · trend {sentiment.trend}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

const SCORE = { positive: 1, neutral: 0, negative: -1 } as const;

/**
 * The sentiment trend: an exponential moving average (α = 0.35) of the final
 * lines' sentiment (+1 positive, 0 neutral, −1 negative), one point per line.
 */
export function SentimentTrend({ lines }: { lines: TranscriptLine[] }) {
  const points: number[] = [];
  let ema = 0;
  for (const l of lines) {
    if (!l.isFinal || !l.sentiment) continue;
    ema = points.length === 0 ? SCORE[l.sentiment] : 0.35 * SCORE[l.sentiment] + 0.65 * ema;
    points.push(ema);
  }
  const w = 240;
  const h = 60;
  if (points.length < 2)
    return <p className="empty live-small">The trend appears after two final lines.</p>;
  const x = (i: number) => (i / (points.length - 1)) * (w - 8) + 4;
  const y = (v: number) => h / 2 - v * (h / 2 - 5);
  const d = points.map((v, i) => `${i ? "L" : "M"} ${x(i).toFixed(1)} ${y(v).toFixed(1)}`).join(" ");
  const lastV = points[points.length - 1];
  const word = lastV >= 0.3 ? "positive" : lastV <= -0.3 ? "negative" : "neutral";
  return (
    <svg className="live-spark" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`Sentiment trend over ${points.length} lines, now ${word}`}>
      <line x1={0} x2={w} y1={h / 2} y2={h / 2} className="live-spark-zero" />
      <path d={d} className="live-spark-line" />
      <circle cx={x(points.length - 1)} cy={y(lastV)} r={3} className={`live-spark-dot ${word}`} />
    </svg>
  );
}

// ---- metrics and predictions ------------------------------------------------

export function Predictions({ metrics }: { metrics: Metrics | null }) {
  if (!metrics) return <p className="empty">Predictions appear once the call is answered.</p>;
  const bars: [string, number | null][] = [
    ["Conversion", metrics.conversionProbability],
    ["Demo acceptance", metrics.demoAcceptanceProbability],
    ["Immediate close", metrics.immediateCloseProbability],
  ];
  return (
    <div className="live-bars">
      {bars.map(([label, v]) => (
        <div key={label} className="live-bar-row">
          <span>{label}</span>
          <ProgressBar value={Math.round(v ?? 0)} max={100} label={`${label} probability`} />
          <span className="live-num">{num(v, 0, "%")}</span>
        </div>
      ))}
      <p className="live-small">
        Interest signals: <strong>{metrics.interestSignals ? titleCase(metrics.interestSignals.toLowerCase()) : "—"}</strong>
      </p>
    </div>
  );
}

export function MetricsPanel({ metrics }: { metrics: Metrics | null }) {
  if (!metrics) return <p className="empty">No metrics yet.</p>;
  const bars: [string, number | null][] = [
    ["Script adherence", metrics.scriptAdherence],
    ["Agent confidence", metrics.agentConfidence],
    ["Conversation quality", metrics.conversationQuality],
    ["Prospect engagement", metrics.prospectEngagement],
  ];
  return (
    <div className="live-bars">
      {bars.map(([label, v]) => (
        <div key={label} className="live-bar-row">
          <span>{label}</span>
          <ProgressBar value={Math.round(v ?? 0)} max={100} label={label} />
          <span className="live-num">{num(v)}</span>
        </div>
      ))}
      <dl className="live-dl">
        <dt>Voice energy</dt>
        <dd>{metrics.voiceEnergy ?? "—"}</dd>
        <dt>Response quality</dt>
        <dd>{metrics.responseQuality ?? "—"}</dd>
        <dt>Questions / min</dt>
        <dd>{num(metrics.questionFrequency, 1)}</dd>
      </dl>
    </div>
  );
}

// ---- system -------------------------------------------------------------------

function statusTone(s: string | null): "good" | "bad" | "warn" | "neutral" {
  return s === "connected" ? "good" : s === "degraded" ? "warn" : s === "error" || s === "down" ? "bad" : "neutral";
}

export function SystemPanel({ config, currency }: { config: SystemConfig | null; currency?: string }) {
  if (!config) return <p className="empty">No system data yet.</p>;
  const providers: [string, string | null, string | null][] = [
    ["SIP", config.sipProvider, config.sipStatus],
    ["Speech to text", config.sttProvider, config.sttStatus],
    ["Language model", config.llmProvider, config.llmStatus],
    ["Text to speech", config.ttsProvider, config.ttsStatus],
  ];
  return (
    <div>
      <table className="live-system">
        <caption className="live-sr-only">Providers</caption>
        <tbody>
          {providers.map(([what, p, s]) => (
            <tr key={what}>
              <th scope="row">{what}</th>
              <td className="live-break">{p ?? "—"}</td>
              <td>{s ? <Badge tone={statusTone(s)}>{s}</Badge> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="live-dl live-sys-figures">
        <dt>Latency</dt>
        <dd>{num(config.apiLatencyMs, 0, " ms")}</dd>
        <dt>Error rate</dt>
        <dd>{num(config.errorRate, 1, "%")}</dd>
        <dt>Queue depth</dt>
        <dd>{num(config.queueDepth)}</dd>
        <dt>Cost / minute</dt>
        <dd>{money(config.costPerMinute, currency)}</dd>
        <dt>Total cost</dt>
        <dd>{money(config.totalCost, currency)}</dd>
      </dl>
    </div>
  );
}
