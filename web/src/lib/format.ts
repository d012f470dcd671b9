/** "1:05" from seconds (or "1:02:03" past an hour); "—" for null. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Local date and time of an ISO-8601 timestamp; "—" for null. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function percent(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  return `${v.toFixed(digits)}%`;
}

/** Sentiment score in [-1, 1] → "positive" | "neutral" | "negative" (thresholds ±0.3, docs/INTELLIGENCE.md). */
export function sentimentLabel(score: number | null | undefined): "positive" | "neutral" | "negative" {
  if (score === null || score === undefined) return "neutral";
  return score >= 0.3 ? "positive" : score <= -0.3 ? "negative" : "neutral";
}

export function titleCase(s: string): string {
  return s.replace(/[_-]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
}
