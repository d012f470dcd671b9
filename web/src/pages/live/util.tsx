// Small helpers of the live monitor.
import { useEffect, useState } from "react";
import { Badge } from "../../lib/ui";
import { titleCase } from "../../lib/format";
import type { SentimentWord } from "./types";

/** Date.now(), refreshed every `ms` while mounted (for ticking clocks). */
export function useNow(ms = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms, active]);
  return now;
}

/** "Live" / "Reconnecting…" badge of the realtime connection. */
export function ConnectionIndicator({ connected }: { connected: boolean }) {
  return (
    <span className={`live-conn ${connected ? "on" : "off"}`} role="status" aria-live="polite">
      <span className="live-conn-dot" aria-hidden="true" />
      {connected ? "Live updates connected" : "Reconnecting…"}
    </span>
  );
}

export function SentimentBadge({ value }: { value: SentimentWord | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  const tone = value === "positive" ? "good" : value === "negative" ? "bad" : "neutral";
  return <Badge tone={tone}>{titleCase(value)}</Badge>;
}

/** A number with a fixed number of decimals, or "—". */
export function num(v: number | null | undefined, digits = 0, suffix = ""): string {
  return v === null || v === undefined || Number.isNaN(v) ? "—" : `${v.toFixed(digits)}${suffix}`;
}

export function money(v: number | null | undefined, currency: string | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(v);
    } catch {
      /* an unknown currency code: fall through */
    }
  }
  return v.toFixed(4);
}
