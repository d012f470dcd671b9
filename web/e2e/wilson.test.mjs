// The Wilson score interval and the variant ranking (web/src/lib/wilson.ts),
// without a browser: the TypeScript module is transpiled with the project's
// own compiler and imported. Reference intervals are published figures
// (Newcombe 1998, Statistics in Medicine 17:857, table I; statsmodels'
// proportion_confint(method="wilson") gives the same to 4 places).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { webDir } from "./harness.mjs";

const source = readFileSync(path.join(webDir, "src", "lib", "wilson.ts"), "utf8");
const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
const { wilsonInterval, rankVariants } = await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`);

function near(actual, expected, what, eps = 5e-4) {
  assert.ok(Math.abs(actual - expected) < eps, `${what}: ${actual} is not ${expected} ± ${eps}`);
}

test("wilson: published 95% intervals", () => {
  // Newcombe's examples: 81/263, 15/148, 0/20, 1/29; and the textbook 8/10.
  for (const [s, n, lo, hi] of [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [8, 10, 0.4902, 0.9433],
    [50, 100, 0.4038, 0.5962],
  ]) {
    const r = wilsonInterval(s, n);
    near(r.rate, s / n, `rate ${s}/${n}`, 1e-12);
    near(r.low, lo, `low ${s}/${n}`);
    near(r.high, hi, `high ${s}/${n}`);
  }
});

test("wilson: edges stay inside [0, 1]; no trials knows nothing", () => {
  assert.deepEqual(wilsonInterval(0, 0), { rate: 0, low: 0, high: 1 });
  const all = wilsonInterval(20, 20);
  assert.equal(all.rate, 1);
  assert.equal(all.high, 1);
  near(all.low, 0.8389, "low 20/20");
  // Out-of-range input is clamped, not NaN.
  const over = wilsonInterval(7, 5);
  assert.equal(over.rate, 1);
  assert.ok(Number.isFinite(over.low));
  const neg = wilsonInterval(-3, 4);
  assert.equal(neg.rate, 0);
  assert.equal(neg.low, 0);
  // A huge sample: the interval narrows round the rate.
  const big = wilsonInterval(300_000, 1_000_000);
  assert.ok(big.high - big.low < 0.002 && big.low < 0.3 && big.high > 0.3);
});

test("rankVariants: groups by (scriptVersion, voiceModel, personalityProfile), sums, ranks by the lower bound", () => {
  const a = (scriptVersion, voiceModel, personalityProfile, totalCalls, successfulCalls) => ({
    scriptVersion, voiceModel, personalityProfile, totalCalls, successfulCalls,
  });
  const rows = rankVariants([
    a("v1", "slt", "FRIENDLY", 30, 12),
    a("v2", "slt", "FRIENDLY", 1, 1), // 100% of one call: ranks below v1's 24 of 50
    a("v1", "slt", "FRIENDLY", 20, 12),
    a("v1", "rms", "FRIENDLY", 0, 0),
    a("v1", "slt", null, 5, 0),
  ]);
  assert.deepEqual(
    rows.map((r) => [r.scriptVersion, r.voiceModel, r.personalityProfile, r.agents, r.totalCalls, r.successfulCalls]),
    [
      ["v1", "slt", "FRIENDLY", 2, 50, 24],
      ["v2", "slt", "FRIENDLY", 1, 1, 1],
      ["v1", "slt", null, 1, 5, 0], // a tie on the lower bound (0) and the rate (0): more calls first
      ["v1", "rms", "FRIENDLY", 1, 0, 0],
    ],
  );
  near(rows[0].rate, 0.48, "v1 rate", 1e-12);
  const expected = wilsonInterval(24, 50);
  assert.equal(rows[0].low, expected.low);
  assert.ok(rows[0].low > rows[1].low, "more evidence outranks one lucky call");
  assert.deepEqual(rankVariants([]), []);
});
