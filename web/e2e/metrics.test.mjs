// The metrics charts, compliance figures, CSV exports and home page (issue 18
// §10) in a real browser against a real `voqo serve` with a callee-sim trunk:
// a swarm campaign (made through the API) calls its leads; then the Swarm
// overview's "Metrics by period" draws its charts, whose hidden tables carry
// the same figures as GET /api/campaigns/{id}/metrics; the period switcher
// re-reads the metrics; the header shows the compliance figures; the "Export
// calls" link downloads a CSV with one record per recent call and "Export
// metrics" one per period; the home page ("/") shows today's and this week's
// figures, the agents' figures, the live calls and the trend. axe-core finds
// nothing; screenshots in web/e2e-artifacts/metrics-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { accessibilityViolations, eventually, launchBrowser, screenshot, startServer, until } from "./harness.mjs";

async function ok(server, method, p, body) {
  const res = await server.api(method, p, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function csvRecords(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The header figures of the Swarm overview as {name: text}. */
async function figures(page) {
  return page.locator(".swarm-figures").evaluate((dl) =>
    Object.fromEntries([...dl.querySelectorAll("div")].map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])));
}

/** A chart's hidden table as rows of cell texts, and its drawn marks. */
async function chart(page, title) {
  const table = page.getByRole("table", { name: title, exact: true });
  const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const fig = page.locator("figure.chart", { has: table });
  const svg = fig.locator("svg[role=img]");
  const bars = await svg.locator("rect").evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute("height")) > 0).length);
  const lines = await svg.locator("polyline").count();
  return { rows, bars, lines, label: await svg.getAttribute("aria-label") };
}

// The metrics API gives rates as percentages (0-100).
const pct = (v) => (v === null || v === undefined ? "—" : `${v.toFixed(1)}%`);
const secs = (v) => (v === null || v === undefined ? "—" : `${(v / 1000).toFixed(1)} s`);
const LEADS = 4;
const CSV = "name,phone\n" + Array.from({ length: LEADS }, (_, i) => `Lead ${i},+121255503${String(i).padStart(2, "0")}`).join("\n") + "\n";

test("metrics: charts, period switcher, compliance figures, CSV exports and the home page after real calls", { timeout: 300_000 }, async (t) => {
  const server = await startServer({ sims: true });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  // --- a swarm campaign that calls its leads (through the API: the swarm e2e builds one in the UI);
  // a lead may wait for a retry (no answer), so two finished calls are enough, then the campaign stops
  const voiceAgent = await ok(server, "POST", "/api/agents", { name: "Metrics Caller", systemPrompt: "You book demos." });
  const campaign = await ok(server, "POST", "/api/campaigns", { name: "Metrics swarm", callsPerSecond: 2 });
  const up = await fetch(`${base}/api/campaigns/${campaign.id}/uploads?filename=leads.csv`, {
    method: "POST", headers: { "Content-Type": "text/csv", Authorization: `Bearer ${server.apiKey}` }, body: CSV,
  });
  assert.ok(up.ok, `upload: ${up.status}`);
  for (const name of ["Alpha", "Bravo"]) await ok(server, "POST", `/api/campaigns/${campaign.id}/agents`, { name, voiceAgentId: voiceAgent.id, scriptVersion: "v1" });
  await ok(server, "POST", `/api/campaigns/${campaign.id}/start`);
  let state = "";
  try {
    await server.waitFor(async () => {
      const c = (await server.api("GET", `/api/campaigns/${campaign.id}`)).body;
      const job = c.jobId ? (await server.api("GET", `/api/jobs/${c.jobId}`)).body : null;
      const n = (await server.api("GET", `/api/campaigns/${campaign.id}/recent-calls?limit=200`)).body.items.length;
      state = `campaign ${c.status}, ${c.totalCalls} calls, ${n} recent, job ${job?.status} ${JSON.stringify(job?.progress ?? null)}`;
      return n >= 2 || ["completed", "failed", "cancelled"].includes(job?.status);
    }, 240_000, "two finished calls");
  } catch (e) {
    throw new Error(`${e.message}: ${state}`);
  }
  // Stop the campaign, then wait until its calls settle (none calling, the count stable): the figures are final.
  await server.api("POST", `/api/campaigns/${campaign.id}/stop`);
  let last = "";
  await server.waitFor(async () => {
    const c = (await server.api("GET", `/api/campaigns/${campaign.id}`)).body;
    const job = c.jobId ? (await server.api("GET", `/api/jobs/${c.jobId}`)).body : null;
    const n = (await server.api("GET", `/api/campaigns/${campaign.id}/recent-calls?limit=200`)).body.items.length;
    const m = (await server.api("GET", `/api/campaigns/${campaign.id}/metrics?period=monthly`)).body;
    const counted = m.items.reduce((x, p) => x + p.totalCalls, 0);
    state = `${n} recent, ${c.totalCalls} in the campaign, ${counted} in the metrics, ${job?.progress?.calling ?? 0} calling`;
    // A call the stop cuts off counts in recent calls and totalCalls too (dialer apply_result reads the job from the store).
    const settled = `${n}/${counted}` === last && n === c.totalCalls && !(job?.progress?.calling > 0);
    last = `${n}/${counted}`;
    if (!settled) await new Promise((r) => setTimeout(r, 1500));
    return settled;
  }, 90_000, "the stopped campaign's calls to settle").catch((e) => { throw new Error(`${e.message}: ${state}`); });
  const recent = (await ok(server, "GET", `/api/campaigns/${campaign.id}/recent-calls?limit=200`)).items;
  assert.ok(recent.length >= 2, `two recent calls at least (${recent.length})`);
  const daily = await ok(server, "GET", `/api/campaigns/${campaign.id}/metrics?period=daily`);
  const placed = daily.items.reduce((s, p) => s + p.totalCalls, 0);
  assert.ok(placed >= recent.length, `the metrics count every recent call (${placed} < ${recent.length})`);

  // --- the Swarm overview: charts with data, their text alternatives list the API's figures
  await page.goto(`${base}/campaigns/${campaign.id}`);
  const metrics = page.getByRole("region", { name: "Metrics by period" });
  await metrics.getByRole("table", { name: "Calls per period (daily)", exact: true }).waitFor({ state: "attached" });
  await metrics.getByText(`Periods in time zone ${daily.timeZone}`).waitFor();
  const calls = await chart(page, "Calls per period (daily)");
  assert.ok(calls.bars > 0, "the calls chart draws bars");
  assert.equal(calls.rows.length, daily.items.length, "one row per daily period");
  assert.deepEqual(calls.rows.map((r) => [Number(r[1]), Number(r[2])]), daily.items.map((p) => [p.totalCalls, p.connectedCalls]));
  assert.match(calls.label, new RegExp(`^Calls per period \\(daily\\): Calls peaks at ${Math.max(...daily.items.map((p) => p.totalCalls))}`));
  const rates = await chart(page, "Rates per period (daily)");
  assert.deepEqual(rates.rows.map((r) => r.slice(1)), daily.items.map((p) => [pct(p.connectionRate), pct(p.conversionRate), pct(p.abandonRate)]));
  for (const r of rates.rows) for (const cell of r.slice(1)) assert.ok(cell === "—" || Number.parseFloat(cell) <= 100, `a rate over 100%: ${cell}`);
  const ring = await chart(page, "Average ring time per period (daily)");
  assert.deepEqual(ring.rows.map((r) => r[1]), daily.items.map((p) => secs(p.averageRingTimeMs)));
  const funnel = await chart(page, "Funnel");
  const sum = (k) => String(daily.items.reduce((s, p) => s + p.funnel[k], 0));
  assert.deepEqual(funnel.rows, [["Made", sum("made")], ["Connected", sum("connected")], ["Interested", sum("interested")],
    ["Qualified", sum("qualified")], ["Conversions", sum("conversions")]]);
  assert.ok(funnel.bars > 0, "the funnel draws bars");
  const hours = await chart(page, "Peak hours (callee's local hour)");
  assert.deepEqual(hours.rows.map((r) => [Number(r[0]), Number(r[1])]), daily.peakHours.map((h) => [h.hour, h.totalCalls]));
  assert.equal(hours.rows.reduce((s, r) => s + Number(r[1]), 0), placed, "peak hours count every call");
  const days = await chart(page, "Best days (callee's local weekday)");
  const names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  assert.deepEqual(days.rows.map((r) => [r[0], Number(r[1])]), daily.bestDays.map((d) => [names[d.weekday], d.totalCalls]));

  // --- compliance figures in the header
  const c = daily.compliance;
  const campaignNow = await ok(server, "GET", `/api/campaigns/${campaign.id}`);
  const f = await figures(page);
  assert.deepEqual([f["Abandon rate"], f["Abandon rate (30 days)"], f["Average ring time"], f["Abandon cap"]],
    [pct(c.abandonRate), pct(c.last30Days.abandonRate), secs(c.averageRingTimeMs), `${campaignNow.abandonCapPercent}%`]);
  assert.notEqual(f["Average ring time"], "—", "answered calls rang");
  assert.deepEqual(await accessibilityViolations(page), [], "the metrics charts: WCAG A/AA violations");
  await metrics.scrollIntoViewIfNeeded();
  await screenshot(page, "metrics-daily");

  // --- the period switcher re-reads the metrics (hourly), from the keyboard
  const hourly = await ok(server, "GET", `/api/campaigns/${campaign.id}/metrics?period=hourly`);
  await metrics.getByRole("radio", { name: "Daily" }).focus();
  await page.keyboard.press("ArrowLeft"); // radio group: Daily → Hourly
  assert.ok(await metrics.getByRole("radio", { name: "Hourly" }).isChecked());
  await metrics.getByRole("table", { name: "Calls per period (hourly)", exact: true }).waitFor({ state: "attached" });
  // Hourly periods are read for the last 7 days (all of this campaign's calls are minutes old).
  await metrics.getByText(/hourly periods? in the last 7 days/).waitFor();
  const hourlyCalls = await chart(page, "Calls per period (hourly)");
  assert.deepEqual(hourlyCalls.rows.map((r) => Number(r[1])), hourly.items.map((p) => p.totalCalls));
  assert.ok(hourlyCalls.bars > 0);
  await metrics.getByRole("radio", { name: "Monthly" }).check();
  const monthly = await ok(server, "GET", `/api/campaigns/${campaign.id}/metrics?period=monthly`);
  await eventually("the monthly rows", async () => JSON.stringify((await chart(page, "Calls per period (monthly)")).rows.map((r) => Number(r[1]))),
    JSON.stringify(monthly.items.map((p) => p.totalCalls)));
  await metrics.getByRole("radio", { name: "Hourly" }).check();
  await metrics.getByRole("table", { name: "Calls per period (hourly)", exact: true }).waitFor({ state: "attached" });

  // --- exports: the calls CSV has one record per call (every recent call among them); the metrics CSV one per period of the chosen period
  const exports = metrics.getByRole("group", { name: "Exports" });
  assert.match(await exports.getByRole("link", { name: "Export calls (CSV)" }).getAttribute("href"), new RegExp(`/api/campaigns/${campaign.id}/export\\.csv\\?type=calls$`));
  assert.match(await exports.getByRole("link", { name: "Export metrics (CSV)" }).getAttribute("href"), /\?type=metrics&period=hourly$/);
  const save = async (name) => {
    const [dl] = await Promise.all([page.waitForEvent("download"), exports.getByRole("link", { name }).click()]);
    return { name: dl.suggestedFilename(), text: await fs.readFile(await dl.path(), "utf8") };
  };
  const callsCsv = await save("Export calls (CSV)");
  assert.equal(callsCsv.name, `campaign-${campaign.id}-calls.csv`);
  const callRecords = csvRecords(callsCsv.text);
  assert.equal(callRecords[0][0], "id");
  assert.equal(callRecords.length - 1, placed, "one CSV record per call the metrics count");
  const exported = new Set(callRecords.slice(1).map((r) => r[0]));
  for (const r of recent) assert.ok(exported.has(r.callId), `recent call ${r.callId} is in the CSV`);
  const metricsCsv = await save("Export metrics (CSV)");
  assert.equal(metricsCsv.name, `campaign-${campaign.id}-metrics-hourly.csv`);
  const metricRecords = csvRecords(metricsCsv.text);
  assert.equal(metricRecords[0][0], "periodStart");
  assert.equal(metricRecords.length - 1, hourly.items.length, "one CSV record per hourly period");
  assert.equal(metricRecords.slice(1).reduce((s, r) => s + Number(r[2]), 0), placed, "the metrics CSV counts every call");

  // --- the home page: today's and this week's figures, agents, live calls, trend
  await page.goto(`${base}/`);
  await page.getByRole("heading", { name: "Home", level: 1 }).waitFor();
  const now = Date.now();
  const current = (m) => m.items.find((p) => Date.parse(p.periodStart) <= now && now < Date.parse(p.periodEnd));
  const weekly = await ok(server, "GET", `/api/campaigns/${campaign.id}/metrics?period=weekly`);
  const todayRow = current(await ok(server, "GET", `/api/campaigns/${campaign.id}/metrics?period=daily`));
  const weekRow = current(weekly);
  assert.ok(todayRow && weekRow, "today's and this week's rows");
  const homeFigures = async (name) => page.getByRole("region", { name, exact: true }).locator("dl").evaluate((dl) =>
    Object.fromEntries([...dl.querySelectorAll("div")].map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])));
  await page.getByRole("region", { name: "Today", exact: true }).waitFor();
  const today = await homeFigures("Today");
  assert.deepEqual([today.Calls, today.Connected, today.Conversions], [todayRow.totalCalls, todayRow.connectedCalls, todayRow.funnel.conversions].map(String));
  assert.equal(today.Calls, String(placed), "every call was placed today");
  const week = await homeFigures("This week");
  assert.deepEqual([week.Calls, week.Connected], [weekRow.totalCalls, weekRow.connectedCalls].map(String));
  const live = (await ok(server, "GET", "/api/live-calls")).items.length;
  assert.equal(await page.getByTestId("live-count").textContent(), String(live));
  const agentRow = current(await ok(server, "GET", `/api/agents/${voiceAgent.id}/metrics?period=daily`));
  const agents = page.getByRole("table", { name: "Agents today" });
  const row = agents.locator("tbody tr", { has: page.getByRole("link", { name: "Metrics Caller" }) });
  assert.equal(await row.locator("td").first().textContent(), String(agentRow?.totalCalls ?? 0));
  assert.ok((agentRow?.totalCalls ?? 0) > 0, "the agent's calls are counted");
  assert.equal(await row.locator("td").nth(2).textContent(), pct(agentRow.connectionRate), "a rate is a percentage, not a fraction");
  const trend = await chart(page, "Calls per day, last 14 days");
  assert.equal(trend.rows.length, 14);
  assert.equal(trend.lines, 2, "calls and connected lines");
  assert.equal(Number(trend.rows.at(-1)[1]), placed, "today's point of the trend");
  assert.ok(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).isVisible(), "the agents list stays reachable");
  assert.deepEqual(await accessibilityViolations(page), [], "the home page: WCAG A/AA violations");
  await screenshot(page, "metrics-home");

  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(clientErrors, []);
});
