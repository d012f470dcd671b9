// The Swarm overview (issue 18 §10) in a real browser against a real `voqo
// serve` with a callee-sim as its trunk: create a swarm campaign (purpose,
// priority, min/max agents), try to start it without agents (the API's 422
// "agents" shown beside Start), upload a CSV, add two agents of two script
// versions (the first from the keyboard alone), a queue_based rule, an
// objective, a call flow of two steps (a template, a skip condition; an unknown
// intent is the API's 422 beside its field; edit, move up and down), configure
// active hours, start it from the keyboard, watch the grid, figures, recent
// calls, activity log and the steps' measured durations move (the rule scales
// the swarm up and logs auto_scaled), pause, resume, stop. axe-core finds
// nothing before and while it runs, the page never scrolls sideways at 1280 or
// 1024 px; screenshots are kept in web/e2e-artifacts/swarm-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { accessibilityViolations, describedText, eventually, launchBrowser, screenshot, startServer, until } from "./harness.mjs";

/** server.api, asserting a 2xx answer; resolves with the parsed body. */
async function ok(server, method, p, body) {
  const res = await server.api(method, p, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The header figures of the Swarm overview as {name: text}. */
async function figures(page) {
  return page.locator(".swarm-figures").evaluate((dl) =>
    Object.fromEntries([...dl.querySelectorAll("div")].map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])),
  );
}

/** The rows of a table as arrays of cell texts (header cells of rows included). */
async function tableRows(table) {
  return table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
}

// Twelve leads (the callee-sim's last-digit personas): more than two agents can
// call at once, so the queue_based rule (queue_depth > 2) scales the swarm up.
const CSV = "name,phone\n" + Array.from({ length: 12 }, (_, i) => `Lead ${i},+121255502${String(i).padStart(2, "0")}`).join("\n") + "\n";

test("swarm overview: build a swarm campaign in the UI, start it from the keyboard, watch it run, pause/resume/stop", { timeout: 300_000 }, async (t) => {
  const server = await startServer({ sims: true });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;
  const voiceAgent = await ok(server, "POST", "/api/agents", { name: "Swarm Caller", systemPrompt: "You book demos for a property portal." });

  // --- create the campaign with its swarm fields; the client checks min ≤ max first
  await page.goto(`${base}/campaigns`);
  const create = page.getByRole("form", { name: "New campaign" });
  await create.getByLabel("Name", { exact: true }).fill("Spring swarm");
  await create.getByLabel("Purpose").selectOption("Appointment");
  await create.getByLabel("Priority").selectOption("HIGH");
  await create.getByLabel("Min agents").fill("5");
  await create.getByLabel("Max agents").fill("4");
  await create.getByRole("button", { name: "Create campaign" }).click();
  await create.getByText("minAgents must not exceed maxAgents").waitFor();
  assert.match(await describedText(create.getByLabel("Min agents")), /minAgents must not exceed maxAgents/);
  await create.getByLabel("Min agents").fill("2");
  await create.getByRole("button", { name: "Create campaign" }).click();
  await page.waitForURL(/\/campaigns\/[a-z0-9]+$/);
  const campaignId = new URL(page.url()).pathname.split("/").pop();
  const stored = await ok(server, "GET", `/api/campaigns/${campaignId}`);
  assert.deepEqual([stored.purpose, stored.priority, stored.minAgents, stored.maxAgents, stored.status], ["Appointment", "HIGH", 2, 4, "scheduled"]);

  const swarm = page.getByRole("region", { name: "Swarm" });
  await swarm.getByRole("heading", { name: "Agents" }).waitFor();
  assert.deepEqual(await figures(page), {
    Status: "scheduled", Purpose: "Appointment", Priority: "HIGH", Agents: "0 / 0", "Total calls": "0", Successful: "0", Failed: "0",
    "Success rate": "—", "Leads remaining": "—",
    // The compliance figures (GET …/metrics): no call yet, so no rate; the cap is the column's default.
    "Abandon rate": "—", "Abandon rate (30 days)": "—", "Average ring time": "—", "Abandon cap": "3%",
  });

  // --- Start without agents: the API's 422 names "agents", shown beside the button and tied to it
  const controls = page.getByRole("group", { name: "Campaign controls" });
  await controls.getByRole("button", { name: "Start" }).click();
  const startError = controls.getByRole("alert");
  await startError.getByText(/^agents: the campaign has no swarm agents.*\(422\)$/).waitFor();
  assert.match(await describedText(controls.getByRole("button", { name: "Start" })), /agents: the campaign has no swarm agents/);

  // --- a contact list through the existing upload UI
  await page.getByLabel("CSV file").setInputFiles({ name: "swarm.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
  await page.getByRole("heading", { name: "Import report: swarm.csv" }).waitFor();

  // --- the first agent from the keyboard alone: the voice agent, Tab, name, Tab, script version, Enter
  const addAgent = page.getByRole("form", { name: "Add a swarm agent" });
  await addAgent.getByLabel("Voice agent").focus();
  await page.keyboard.press("ArrowDown"); // stays on the only agent
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), await addAgent.getByLabel("Agent name").getAttribute("id"), "Tab goes to the name");
  await page.keyboard.type("Alpha");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), await addAgent.getByLabel("Script version").getAttribute("id"));
  await page.keyboard.type("v1");
  await page.keyboard.press("Enter");
  const grid = page.getByRole("table", { name: "Swarm agents" });
  await grid.getByRole("rowheader", { name: "Alpha", exact: true }).waitFor();

  // --- the second by mouse, with a personality; a duplicate name is the API's message beside the name
  await addAgent.getByLabel("Agent name").fill("Alpha");
  await addAgent.getByRole("button", { name: "Add agent" }).click();
  await until("the duplicate's message", async () => (await describedText(addAgent.getByLabel("Agent name"))).length > 0, 10_000);
  await addAgent.getByLabel("Agent name").fill("Bravo");
  await addAgent.getByLabel("Script version").fill("v2");
  await addAgent.getByLabel("Voice model").fill("kal16");
  await addAgent.getByLabel("Personality").selectOption("FRIENDLY");
  await addAgent.getByRole("button", { name: "Add agent" }).click();
  await grid.getByRole("rowheader", { name: "Bravo", exact: true }).waitFor();
  const members = (await ok(server, "GET", `/api/campaigns/${campaignId}/agents`)).items;
  assert.deepEqual(
    members.map((m) => [m.name, m.voiceAgentId, m.scriptVersion, m.voiceModel, m.personalityProfile]).sort(),
    [["Alpha", voiceAgent.id, "v1", null, null], ["Bravo", voiceAgent.id, "v2", "kal16", "FRIENDLY"]],
  );
  const variants = page.getByRole("table", { name: "Variant comparison" });
  assert.equal(await variants.locator("tbody tr").count(), 2, "two variants: v1 and v2");

  // --- a queue_based rule
  const ruleForm = page.getByRole("form", { name: "Add an autoscaling rule" });
  await ruleForm.getByLabel("Rule name").fill("Deep queue");
  await ruleForm.getByLabel("Rule type").selectOption("queue_based");
  await ruleForm.getByLabel("Metric").selectOption("queue_depth");
  assert.equal(await ruleForm.getByLabel("Metric").locator("option").count(), 12, "the twelve metrics");
  await ruleForm.getByLabel("Operator").selectOption(">");
  await ruleForm.getByLabel("Threshold").fill("2");
  await ruleForm.getByLabel("Action").selectOption("scale_up");
  await ruleForm.getByLabel("Scale amount").fill("1");
  await ruleForm.getByLabel("Cooldown (seconds)").fill("10");
  await ruleForm.getByLabel("Rule min agents").fill("5");
  await ruleForm.getByLabel("Rule max agents").fill("4");
  await ruleForm.getByRole("button", { name: "Add rule" }).click();
  await ruleForm.getByText("must not exceed maxAgents").waitFor(); // the client check mirrors the API's
  await ruleForm.getByLabel("Rule min agents").fill("2");
  await ruleForm.getByRole("button", { name: "Add rule" }).click();
  const rules = page.getByRole("table", { name: "Autoscaling rules" });
  await rules.getByRole("rowheader", { name: "Deep queue" }).waitFor();
  const [rule] = (await ok(server, "GET", `/api/campaigns/${campaignId}/autoscaling-rules`)).items;
  assert.deepEqual(
    [rule.ruleType, rule.metric, rule.operator, rule.threshold, rule.action, rule.scaleAmount, rule.cooldownSeconds, rule.minAgents, rule.maxAgents, rule.isActive],
    ["queue_based", "queue_depth", ">", 2, "scale_up", 1, 10, 2, 4, true],
  );

  // --- an objective
  const objForm = page.getByRole("form", { name: "Add an objective" });
  await objForm.getByLabel("Objective", { exact: true }).fill("Reach every lead");
  await objForm.getByLabel("Target").fill("12");
  await objForm.getByLabel("Unit").selectOption("calls");
  await objForm.getByRole("button", { name: "Add objective" }).click();
  const objBar = page.getByRole("progressbar", { name: "Reach every lead progress" });
  await objBar.waitFor();
  assert.equal(await objBar.getAttribute("aria-valuemax"), "12");

  // --- a call flow (issue 18 §5): two steps through the UI, one speaking a script template and
  // answered when the callee says yes, one with a skip condition; a bad JSON is caught before sending,
  // an unknown intent is the API's 422 shown beside the field it names, and nothing is stored.
  const [template] = (await ok(server, "GET", "/api/script-templates?limit=500")).items;
  assert.ok(template, "the workspace has script templates (the built-ins)");
  const flow = swarm.getByRole("region", { name: "Call flow" });
  await flow.getByText("No call-flow steps yet").waitFor();
  const stepForm = flow.getByRole("form", { name: "Add a call-flow step" });
  await stepForm.getByLabel("Phase").fill("opening");
  await stepForm.getByLabel("Step description").fill("Greets the lead and asks for a minute");
  await stepForm.getByLabel("Target duration (s)").fill("8");
  await stepForm.getByLabel("Script template").selectOption(template.id);
  await stepForm.getByLabel("Step order").fill("1");
  await stepForm.getByLabel("Success criteria").fill('{"intent": "yes", "maxTurns": 2}');
  await stepForm.getByRole("button", { name: "Add step" }).click();
  const flowTable = flow.getByRole("table", { name: "Call flow steps" });
  await flowTable.getByRole("rowheader", { name: "opening" }).waitFor();

  await stepForm.getByLabel("Phase").fill("qualify");
  await stepForm.getByLabel("Step description").fill("Asks about the budget");
  await stepForm.getByLabel("Target duration (s)").fill("20");
  assert.equal(await stepForm.getByLabel("Script template").inputValue(), template.id, "the form keeps the last template");
  await stepForm.getByLabel("Script template").selectOption("");
  await stepForm.getByLabel("Fallback script").fill("What budget do you have in mind?");
  assert.equal(await stepForm.getByLabel("Step order").inputValue(), "2", "the next order is proposed");
  const skipBox = stepForm.getByLabel("Skip conditions");
  assert.match(await describedText(skipBox), /"intentHeard": "yes"/, "the hint shows the accepted shapes");
  await skipBox.fill('[{"variable": "company", ');
  await stepForm.getByRole("button", { name: "Add step" }).click();
  await until("the JSON error", async () => /is not valid JSON/.test(await describedText(skipBox)), 5_000);
  await skipBox.fill('[{"intentHeard": "maybe"}]');
  await stepForm.getByRole("button", { name: "Add step" }).click();
  await until("the API's message beside the skip conditions", async () => /skipConditions\[0\]\.intentHeard: /.test(await describedText(skipBox)), 10_000);
  assert.doesNotMatch(await describedText(stepForm.getByLabel("Phase")), /skipConditions/, "the message is beside its own field only");
  assert.equal((await ok(server, "GET", `/api/campaigns/${campaignId}/call-flow`)).items.length, 1, "nothing stored for the bad condition");
  await skipBox.fill('{"variable": "company", "exists": true}');
  await stepForm.getByRole("button", { name: "Add step" }).click();
  await flowTable.getByRole("rowheader", { name: "qualify" }).waitFor();
  assert.equal(await describedText(skipBox).then((t) => /skipConditions\[/.test(t)), false, "the error is gone");
  // The cells but the actions; the phase (a row header, shown in capitals by CSS) as typed.
  const flowCells = () => flowTable.locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].slice(0, 8).map((td, i) => (i === 1 ? td.textContent : td.innerText).trim())));
  assert.deepEqual(await flowCells(), [
    ["1", "opening", "Greets the lead and asks for a minute", "8 s", "not measured yet", template.name, "never skipped", "done when intent yes, up to 2 turns"],
    ["2", "qualify", "Asks about the budget", "20 s", "not measured yet", "none (fallback script)", "skip when company exists", "none"],
  ]);
  // Edit a step (its form takes the focus), then move it up and back down.
  await flow.getByRole("button", { name: "Edit step qualify" }).click();
  const editForm = flow.getByRole("form", { name: "Edit step qualify" });
  assert.equal(await page.evaluate(() => document.activeElement?.id), await editForm.getByLabel("Phase").getAttribute("id"), "the edit form has the focus");
  assert.deepEqual(JSON.parse(await editForm.getByLabel("Skip conditions").inputValue()), { variable: "company", exists: true }, "the form holds the step");
  await editForm.getByLabel("Target duration (s)").fill("15");
  await editForm.getByRole("button", { name: "Save step" }).click();
  await editForm.waitFor({ state: "detached" });
  await until("the focus back on the Edit button", async () =>
    (await page.evaluate(() => document.activeElement?.textContent)) === "Edit step qualify", 5_000);
  await until("the edited target", async () => (await flowCells())[1]?.[3] === "15 s", 10_000);
  await flow.getByRole("button", { name: "Move step qualify up" }).click();
  await until("qualify first", async () => (await flowCells())[0]?.[1] === "qualify", 10_000);
  await flow.getByRole("button", { name: "Move step qualify down" }).click();
  await until("qualify second again", async () => (await flowCells()).map((r) => r[1]).join() === "opening,qualify", 10_000);
  const steps = (await ok(server, "GET", `/api/campaigns/${campaignId}/call-flow`)).items.sort((a, b) => a.order - b.order);
  assert.deepEqual(
    steps.map((x) => [x.phase, x.order, x.targetDurationS, x.scriptTemplateId, x.fallbackScript, x.skipConditions, x.successCriteria]),
    [
      ["opening", 1, 8, template.id, null, null, { intent: "yes", maxTurns: 2 }],
      ["qualify", 2, 15, null, "What budget do you have in mind?", { variable: "company", exists: true }, null],
    ],
  );
  assert.deepEqual(await accessibilityViolations(page), [], "the call flow section: WCAG A/AA violations");

  // --- configuration: active hours all day, every day (0 = Sunday), autoscaling on
  const config = page.getByRole("form", { name: "Configuration" });
  await config.getByLabel("Only call during active hours").check();
  await config.getByLabel("Hours start").fill("00:00");
  await config.getByLabel("Hours end").fill("25:00");
  await config.getByRole("button", { name: "Save configuration" }).click();
  await config.getByText('must be "HH:MM" (24-hour, up to 24:00)').waitFor();
  await config.getByLabel("Hours end").fill("24:00");
  await config.getByLabel("Hours time zone").fill("UTC");
  for (const day of ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]) await config.getByLabel(day, { exact: true }).check();
  await config.getByLabel("Autoscaling (rules run every 10 s)").check();
  await config.getByLabel("Pace (calls per second)").fill("2");
  await config.getByRole("button", { name: "Save configuration" }).click();
  await config.getByRole("status").getByText("Saved.").waitFor();
  const configured = await ok(server, "GET", `/api/campaigns/${campaignId}`);
  assert.deepEqual(configured.activeHours, { start: "00:00", end: "24:00", timezone: "UTC", daysOfWeek: [0, 1, 2, 3, 4, 5, 6] });
  assert.equal(configured.autoscalingEnabled, true);
  assert.equal(configured.callsPerSecond, 2);
  assert.equal(configured.status, "scheduled");

  await until("the figures", async () => (await figures(page)).Agents === "0 / 2" || (await figures(page)).Agents === "2 / 2", 10_000);
  assert.deepEqual(await accessibilityViolations(page), [], "the built campaign: WCAG A/AA violations");
  await screenshot(page, "swarm-built");

  // --- start it from the keyboard
  const start = controls.getByRole("button", { name: "Start" });
  await start.focus();
  await page.keyboard.press("Enter");
  await until("active", async () => (await ok(server, "GET", `/api/campaigns/${campaignId}`)).status === "active", 15_000);
  await eventually("the status figure", async () => (await figures(page)).Status, "active");
  await controls.getByRole("alert").waitFor({ state: "detached" }); // the old 422 is gone
  const activity = page.getByRole("list", { name: "Activity log" });
  await activity.getByText("campaign_started").waitFor({ timeout: 10_000 });
  assert.match(await activity.locator("li", { hasText: "campaign_started" }).first().getAttribute("class"), /swarm-activity-item (good|info)/);

  // The overview follows the running campaign through the realtime API (no polling): leads remaining, calls, the grid, the feeds.
  await eventually("leads remaining from the job", async () => (await figures(page))["Leads remaining"], /^([0-9]|1[0-2])$/, 15_000);
  let sawCalling = false;
  await until("calls counted in the figures", async () => {
    if (await grid.getByText("calling", { exact: true }).count()) sawCalling = true;
    return Number((await figures(page))["Total calls"]) > 0;
  }, 120_000, 200);
  const recent = page.getByRole("table", { name: "Recent calls" });
  await until("the recent calls feed", async () => (await recent.locator("tbody tr").count()) > 0, 30_000);
  assert.match(await recent.locator("tbody tr").first().getByRole("link").getAttribute("href"), /^\/calls\/[a-z0-9]+$/);
  // The rule fires (every 10 s): auto_scaled is logged with the metric's value and the grid grows past the two added.
  await activity.getByText("auto_scaled").first().waitFor({ timeout: 60_000 });
  assert.match(await activity.locator("li", { hasText: "auto_scaled" }).first().innerText(), /queue_depth \d+ > 2: 2 → 3 agents|queue_depth \d+ > 2: 3 → 4 agents/);
  await until("a third agent in the grid", async () => (await tableRows(grid)).length >= 3, 15_000);
  assert.ok((await tableRows(grid)).length <= 4, "never past max agents");
  await until("the rule's trigger count", async () => /^[1-9]\d*×/.test((await tableRows(rules))[0][9]), 10_000);
  const apiMembers = (await ok(server, "GET", `/api/campaigns/${campaignId}/agents`)).items;
  const placed = apiMembers.reduce((s, m) => s + m.totalCalls, 0);
  assert.ok(placed > 0, "the agents placed the calls");
  await until("the objective moved", async () => Number(await objBar.getAttribute("aria-valuenow")) > 0, 30_000);
  // The server measures the time answered calls spent in each step; the table re-reads it as calls end.
  await until("a measured step", async () => (await ok(server, "GET", `/api/campaigns/${campaignId}/call-flow`)).items.some((x) => x.sampleCount > 0), 60_000);
  const measured = (await ok(server, "GET", `/api/campaigns/${campaignId}/call-flow`)).items.find((x) => x.sampleCount > 0);
  await until("the measured duration in the table", async () => {
    const row = (await flowCells()).find((r) => r[1] === measured.phase);
    return row && /^\d+(\.\d)? s \(\d+ calls?\)/.test(row[4]);
  }, 30_000);
  const measuredCell = (await flowCells()).find((r) => r[1] === measured.phase)[4];
  assert.match(measuredCell, /(over target|within target)$/, "compared with the target in words");
  t.diagnostic(`measured ${measured.phase}: ${measuredCell.replace(/\s+/g, " ")}`);
  await flow.scrollIntoViewIfNeeded();
  await screenshot(page, "swarm-call-flow");
  assert.deepEqual(await accessibilityViolations(page), [], "the running campaign: WCAG A/AA violations");
  for (const size of [{ width: 1280, height: 800 }, { width: 1024, height: 768 }]) {
    await page.setViewportSize(size);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the overview at ${size.width}px scrolls sideways by ${overflow}px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, "swarm-running");
  t.diagnostic(`an agent was seen "calling" in the grid: ${sawCalling}`);

  // --- pause, resume, stop (with its confirmation)
  await controls.getByRole("button", { name: "Pause" }).click();
  await eventually("paused", async () => (await figures(page)).Status, "paused");
  assert.ok(await controls.getByRole("button", { name: "Pause" }).isDisabled());
  await controls.getByRole("button", { name: "Resume" }).click();
  await eventually("resumed", async () => (await figures(page)).Status, "active");
  await controls.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("button", { name: "Yes, stop the campaign" }).click();
  await eventually("stopped", async () => (await figures(page)).Status, "stopped");
  assert.equal((await ok(server, "GET", `/api/campaigns/${campaignId}`)).status, "stopped");
  for (const name of ["Start", "Pause", "Resume", "Stop"]) assert.ok(await controls.getByRole("button", { name }).isDisabled(), `${name} is disabled once stopped`);
  await activity.getByText("campaign_stopped").waitFor({ timeout: 10_000 });
  for (const type of ["campaign_paused", "campaign_resumed"]) assert.ok(await activity.getByText(type).count(), `${type} is logged`);
  await screenshot(page, "swarm-stopped");

  // --- a viewer (no campaigns:write) reads the overview but gets no control, form or row action
  const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewer = await viewerContext.newPage();
  await server.signIn(viewer, { role: "viewer" });
  await viewer.goto(`${base}/campaigns/${campaignId}`);
  const viewerGrid = viewer.getByRole("table", { name: "Swarm agents" });
  await viewerGrid.getByRole("rowheader", { name: "Alpha", exact: true }).waitFor();
  await viewer.getByRole("list", { name: "Activity log" }).getByText("campaign_stopped").waitFor();
  for (const [role, name] of [["group", "Campaign controls"], ["form", "Add a swarm agent"], ["form", "Add an autoscaling rule"],
    ["form", "Add an objective"], ["form", "Configuration"]])
    assert.equal(await viewer.getByRole(role, { name }).count(), 0, `a viewer gets no ${name}`);
  assert.equal(await viewerGrid.getByRole("button").count(), 0, "no row actions for a viewer");
  assert.equal(await viewer.getByRole("checkbox", { name: /^Rule .* active$/ }).count(), 0, "no rule switch for a viewer");
  const viewerFlow = viewer.getByRole("region", { name: "Call flow" }).getByRole("table", { name: "Call flow steps" });
  await viewerFlow.getByRole("rowheader", { name: "qualify" }).waitFor();
  assert.equal(await viewerFlow.getByRole("button").count(), 0, "no step actions for a viewer");
  assert.equal(await viewer.getByRole("form", { name: "Add a call-flow step" }).count(), 0, "no step form for a viewer");
  assert.deepEqual(await accessibilityViolations(viewer), [], "the viewer's overview: WCAG A/AA violations");
  await viewerContext.close();

  assert.deepEqual(consoleErrors, []);
  // The only 4xx answers: the Start without agents (422), the duplicate agent name and the unknown intent of a step (422).
  assert.equal(clientErrors.length, 3, clientErrors.join("\n"));
  assert.ok(/status of 422/.test(clientErrors[0]) && /\/start/.test(clientErrors[0]), clientErrors.join("\n"));
  assert.ok(/\/agents/.test(clientErrors[1]), clientErrors.join("\n"));
  assert.ok(/status of 422/.test(clientErrors[2]) && /\/call-flow/.test(clientErrors[2]), clientErrors.join("\n"));
});
