// Small hand-drawn SVG charts for the dashboard's metrics (issue 18 §10).
// Each chart is an <svg role="img"> whose aria-label summarises it, followed
// by a visually hidden table (its caption is the chart's title) listing every
// figure, so a screen reader and axe-core get the same data the bars show.
// SVG rather than a canvas library: the text alternative and the colours stay
// under our control, and no dependency is added.
import type { ReactNode } from "react";
import "./charts.css";

export interface Series {
  name: string;
  /** One value per label; null = no data for that label. */
  values: (number | null)[];
  /** A CSS colour (the palette below by default). */
  color?: string;
}

const PALETTE = ["#0969da", "#1a7f37", "#9a6700", "#cf222e", "#8250df"];

interface ChartProps {
  /** The chart's title: the heading above it and the hidden table's caption. */
  title: string;
  /** One label per bar group (a period, an hour, a weekday, a funnel step). */
  labels: string[];
  series: Series[];
  /** How a value is written in the table, the summary and the axis. */
  format?: (v: number) => string;
  /** Draw a line per series instead of grouped bars (a trend over time). */
  line?: boolean;
  /** Height of the drawing, px. */
  height?: number;
}

const W = 600;

/** A grouped bar chart (or line chart) with a visually hidden table of its figures. */
export function Chart({ title, labels, series, format = (v) => String(v), line = false, height = 160 }: ChartProps): ReactNode {
  const max = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const top = max > 0 ? max : 1;
  const pad = { l: 44, r: 8, t: 8, b: 22 };
  const iw = W - pad.l - pad.r;
  const ih = height - pad.t - pad.b;
  const n = Math.max(1, labels.length);
  const slot = iw / n;
  const y = (v: number) => pad.t + ih - (v / top) * ih;
  const color = (i: number) => series[i].color ?? PALETTE[i % PALETTE.length];
  const every = Math.max(1, Math.ceil(n / 12)); // at most ~12 axis labels
  const summary =
    labels.length === 0
      ? `${title}: no data`
      : `${title}: ` +
        series
          .map((s) => {
            const vals = s.values.filter((v): v is number => v !== null);
            const total = vals.length ? Math.max(...vals) : null;
            return `${s.name} peaks at ${total === null ? "no data" : format(total)}`;
          })
          .join("; ") + ` over ${labels.length} ${labels.length === 1 ? "entry" : "entries"}`;
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      {series.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {series.map((s, i) => (
            <li key={s.name}>
              <span className="chart-swatch" style={{ background: color(i) }} />
              {s.name}
            </li>
          ))}
        </ul>
      )}
      <svg role="img" aria-label={summary} viewBox={`0 0 ${W} ${height}`} className="chart-svg" preserveAspectRatio="none" data-points={labels.length}>
        <line x1={pad.l} x2={W - pad.r} y1={pad.t + ih} y2={pad.t + ih} className="chart-axis" />
        <text x={pad.l - 4} y={pad.t + 8} textAnchor="end" className="chart-tick">{format(max)}</text>
        <text x={pad.l - 4} y={pad.t + ih} textAnchor="end" className="chart-tick">{format(0)}</text>
        {labels.map((l, j) =>
          j % every === 0 ? (
            <text key={j} x={pad.l + slot * j + slot / 2} y={height - 6} textAnchor="middle" className="chart-tick">{l}</text>
          ) : null,
        )}
        {line
          ? series.map((s, i) => (
              <polyline key={s.name} fill="none" stroke={color(i)} strokeWidth={2} className="chart-line"
                points={s.values.map((v, j) => `${pad.l + slot * j + slot / 2},${y(v ?? 0)}`).join(" ")} />
            ))
          : series.map((s, i) =>
              s.values.map((v, j) => {
                const bw = Math.max(1, (slot * 0.8) / series.length);
                const x = pad.l + slot * j + slot * 0.1 + bw * i;
                const h = v === null ? 0 : Math.max(v > 0 ? 1 : 0, (v / top) * ih);
                return <rect key={`${i}-${j}`} x={x} y={pad.t + ih - h} width={bw} height={h} fill={color(i)} className="chart-bar" />;
              }),
            )}
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            {series.map((s) => (
              <th key={s.name} scope="col">{s.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((l, j) => (
            <tr key={j}>
              <th scope="row">{l}</th>
              {series.map((s) => (
                <td key={s.name}>{s.values[j] === null ? "—" : format(s.values[j] as number)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
