// Outcomes as a horizontal SVG bar chart. The SVG is an image with a text
// alternative (aria-label listing every bar); a table of the same numbers is
// available under "Show as table".
import { toneOf } from "../../lib/ui";

const TONE_FILL: Record<string, string> = {
  good: "#1a7f37",
  bad: "#cf222e",
  warn: "#9a6700",
  info: "#0969da",
  neutral: "#6e7781",
};

export function OutcomeChart({ outcomes, title = "Outcomes" }: { outcomes: Record<string, number>; title?: string }) {
  const rows = Object.entries(outcomes)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (rows.length === 0) return <p className="muted">No outcomes yet: they appear as calls end.</p>;
  const total = rows.reduce((s, [, n]) => s + n, 0);
  const max = Math.max(...rows.map(([, n]) => n));
  const barH = 22;
  const gap = 8;
  const labelW = 150;
  const valueW = 70;
  const width = 560;
  const plotW = width - labelW - valueW;
  const height = rows.length * (barH + gap) - gap;
  const summary = `${title}: ` + rows.map(([k, n]) => `${k} ${n}`).join(", ") + ` (${total} in all)`;
  return (
    <figure className="campaigns-chart">
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={summary} preserveAspectRatio="xMinYMin meet">
        <title>{summary}</title>
        {rows.map(([k, n], i) => {
          const y = i * (barH + gap);
          const w = Math.max(2, (n / max) * plotW);
          return (
            <g key={k}>
              <text x={labelW - 8} y={y + barH / 2} textAnchor="end" dominantBaseline="central" className="campaigns-chart-label">
                {k.length > 22 ? k.slice(0, 21) + "…" : k}
              </text>
              <rect x={labelW} y={y} width={w} height={barH} rx={3} fill={TONE_FILL[toneOf(k)]} />
              <text x={labelW + w + 6} y={y + barH / 2} dominantBaseline="central" className="campaigns-chart-value">
                {n} ({Math.round((n / total) * 100)}%)
              </text>
            </g>
          );
        })}
      </svg>
      <details>
        <summary>Show as table</summary>
        <table>
          <caption className="campaigns-sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Outcome</th>
              <th scope="col" className="campaigns-num">
                Calls
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([k, n]) => (
              <tr key={k}>
                <td>{k}</td>
                <td className="campaigns-num">{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
