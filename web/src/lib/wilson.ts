// Success rates with a confidence interval, for comparing swarm agent variants
// head to head (issue 18 §2: "the overview ranks them by success rate with a
// confidence interval (Wilson)"). Tested by e2e/wilson.test.mjs.

/** A success rate and its confidence interval, all as fractions 0–1. */
export interface RateInterval {
  /** successes / trials (0 when there are no trials). */
  rate: number;
  /** Lower bound of the interval (0 when there are no trials). */
  low: number;
  /** Upper bound of the interval (1 when there are no trials: nothing is known yet). */
  high: number;
}

/** z of the two-sided 95% interval (the normal distribution's 0.975 quantile). */
export const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of a binomial proportion (E. B. Wilson, "Probable
 * inference, the law of succession, and statistical inference", JASA 22, 1927;
 * also Agresti & Coull 1998): with p̂ = s/n,
 *
 *   centre = (p̂ + z²/2n) / (1 + z²/n)
 *   half   = z / (1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²)
 *
 * and the interval is [centre − half, centre + half], clamped to [0, 1]. Unlike
 * the normal ("Wald") interval it stays inside [0, 1] and is sensible for small
 * n and for rates of 0 or 1 — a variant with 1 call out of 1 does not outrank
 * one with 40 out of 50.
 *
 * `successes` and `trials` are counts (non-negative integers, successes ≤
 * trials; out-of-range values are clamped); `z` defaults to the 95% level.
 * With no trials the answer is {rate 0, low 0, high 1}.
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z95): RateInterval {
  const n = Math.max(0, Math.floor(trials));
  if (n === 0) return { rate: 0, low: 0, high: 1 };
  const s = Math.min(n, Math.max(0, Math.floor(successes)));
  const p = s / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The fields of a swarm agent that make its variant, and its totals. */
export interface VariantMember {
  scriptVersion: string | null;
  voiceModel: string | null;
  personalityProfile: string | null;
  totalCalls: number;
  successfulCalls: number;
}

/** One variant: the agents sharing (scriptVersion, voiceModel, personalityProfile), summed. */
export interface VariantRow extends RateInterval {
  scriptVersion: string | null;
  voiceModel: string | null;
  personalityProfile: string | null;
  agents: number;
  totalCalls: number;
  successfulCalls: number;
}

/**
 * Groups agents by (scriptVersion, voiceModel, personalityProfile), sums
 * totalCalls and successfulCalls, and ranks the variants by the lower bound of
 * their 95% Wilson interval (highest first: the variant most surely good leads),
 * ties by rate, then by calls, then by the variant's fields for a stable order.
 */
export function rankVariants(members: readonly VariantMember[]): VariantRow[] {
  const groups = new Map<string, VariantRow>();
  for (const m of members) {
    const key = JSON.stringify([m.scriptVersion ?? null, m.voiceModel ?? null, m.personalityProfile ?? null]);
    let g = groups.get(key);
    if (!g) {
      g = {
        scriptVersion: m.scriptVersion ?? null,
        voiceModel: m.voiceModel ?? null,
        personalityProfile: m.personalityProfile ?? null,
        agents: 0,
        totalCalls: 0,
        successfulCalls: 0,
        rate: 0,
        low: 0,
        high: 1,
      };
      groups.set(key, g);
    }
    g.agents += 1;
    g.totalCalls += Math.max(0, m.totalCalls);
    g.successfulCalls += Math.max(0, m.successfulCalls);
  }
  const rows = [...groups.values()].map((g) => ({ ...g, ...wilsonInterval(g.successfulCalls, g.totalCalls) }));
  const label = (r: VariantRow) => `${r.scriptVersion ?? ""}\u0000${r.voiceModel ?? ""}\u0000${r.personalityProfile ?? ""}`;
  rows.sort((a, b) => b.low - a.low || b.rate - a.rate || b.totalCalls - a.totalCalls || label(a).localeCompare(label(b)));
  return rows;
}
