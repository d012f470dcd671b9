// The end-to-end scenario in one browser session, against a real
// `voqo serve` whose SIP trunk is `voqo callee-sim`: create an agent through
// the wizard (one field rejected by the API, then fixed), upload
// customers-100.csv by drag and drop and see its rejected rows, start a job
// with that agent, watch a live call's transcript grow, press END_CALL, open
// the finished call's page and play its recording. A screenshot of each screen
// goes to web/e2e-artifacts/flow-*.png. (Each area's own test goes deeper.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { dropFile, fixturesDir, launchBrowser, screenshot, startServer, until } from "./harness.mjs";


test("flow: wizard → upload → job → live call → END_CALL → recording", { timeout: 420_000 }, async (t) => {
  // Every callee is the persona who stays on the line and is interested, so a call lasts long enough to watch.
  const server = await startServer({ sims: true, simRules: { default: "interested" } });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  // ---- 1. the agent, through the four-step wizard
  await page.goto(`${base}/agents/new`);
  await page.getByLabel("Name", { exact: true }).fill("Open House Agent");
  await page.getByLabel("Purpose", { exact: true }).selectOption("sales");
  await page.getByLabel("Template").selectOption("property_sales");
  await screenshot(page, "flow-1-wizard-basics");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Voice provider").selectOption("flite");
  await page.getByLabel("Voice", { exact: true }).selectOption("slt");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("System prompt").fill("You invite homeowners to the spring open house.");
  const webhook = page.getByLabel("Webhook URL");
  await webhook.fill("ftp://hooks.example.com/voqo"); // looks like a URL to the browser; the API wants http(s)
  const [rejected] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/agents") && r.request().method() === "POST"),
    page.getByRole("button", { name: "Create agent" }).click(),
  ]);
  assert.equal(rejected.status(), 422);
  const problem = await rejected.json();
  const message = problem.errors.find((e) => e.field === "webhookUrl").message;
  await page.locator(".field-error", { hasText: message }).waitFor(); // the API's own words, beside the field
  await screenshot(page, "flow-2-wizard-rejected-field");
  await webhook.fill("");
  await page.getByRole("button", { name: "Create agent" }).click();
  await page.waitForURL((u) => /^\/agents\/[a-z0-9]+$/.test(u.pathname) && !u.pathname.endsWith("/new"));
  const agentId = new URL(page.url()).pathname.split("/").pop();
  await page.getByRole("heading", { name: "Open House Agent", level: 1 }).waitFor();
  await screenshot(page, "flow-3-agent");

  // ---- 2. a campaign, and customers-100.csv dropped on it
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Campaigns" }).click();
  await page.getByLabel("Name").fill("Spring open house");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await page.waitForURL(/\/campaigns\/[a-z0-9]+$/);
  const campaignId = new URL(page.url()).pathname.split("/").pop();
  const csv = await readFile(path.join(fixturesDir, "csv", "customers-100.csv"), "utf8");
  const zone = page.getByRole("group", { name: "CSV drop zone" });
  await dropFile(page, zone, "customers-100.csv", csv);
  await page.getByRole("heading", { name: "Import report: customers-100.csv" }).waitFor();
  const upload = (await server.api("GET", `/api/campaigns/${campaignId}/uploads`)).body.items[0];
  assert.ok(upload.rejectedRows > 0, "the fixture has rows the import rejects");
  const rejectedTable = page.getByRole("table", { name: /^Rejected rows/ });
  const firstRejection = (await server.api("GET", `/api/uploads/${upload.id}/rejections?severity=error&limit=1`)).body.items[0];
  const firstRow = await rejectedTable.locator("tbody tr").first().locator("td").allInnerTexts();
  assert.deepEqual(firstRow.map((s) => s.trim()), [String(firstRejection.line), firstRejection.column || "(whole row)", firstRejection.reason]);
  await screenshot(page, "flow-4-upload-report");

  // ---- 3. a job with the wizard's agent
  const form = page.getByRole("form", { name: "Start a job" });
  await form.getByLabel("Agent").selectOption(agentId);
  await form.getByLabel("Contact list").selectOption(upload.id);
  await form.getByLabel("Max concurrent calls").fill("2");
  await form.getByLabel("Calls per second").fill("1");
  await form.getByLabel("Window start").fill("00:00");
  await form.getByLabel("Window end").fill("24:00");
  await form.getByLabel("Time zone").fill("UTC");
  for (const day of ["Sat", "Sun"]) {
    const box = form.getByLabel(day, { exact: true });
    if (!(await box.isChecked())) await box.check();
  }
  await form.getByLabel("Max attempts").fill("1");
  await screenshot(page, "flow-5-job-form");
  await form.getByRole("button", { name: "Start job" }).click();
  await page.waitForURL(/\/jobs\/[a-z0-9]+$/);
  const jobId = new URL(page.url()).pathname.split("/").pop();
  await until("calls placed", async () => {
    const text = await page.getByRole("group", { name: "Live counters" }).getByRole("group", { name: "Placed", exact: true }).locator(".stat").innerText();
    return Number(text) > 0;
  });
  await screenshot(page, "flow-6-job-overview");

  // ---- 4. a live call: its transcript grows
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Live calls" }).click();
  const connectedRow = page.getByRole("row").filter({ hasText: "Connected" }).first();
  await connectedRow.waitFor({ timeout: 60_000 });
  await screenshot(page, "flow-7-live-list");
  await connectedRow.getByRole("link").first().click();
  await page.waitForURL(/\/live\/[a-z0-9]+$/);
  const callId = new URL(page.url()).pathname.split("/").pop();
  const lines = page.locator("ol.live-transcript > li.final");
  await until("a first transcript line", async () => (await lines.count()) >= 1, 30_000);
  const before = await lines.count();
  await until("the transcript to grow", async () => (await lines.count()) > before, 45_000);
  await screenshot(page, "flow-8-live-call");

  // ---- 5. END_CALL
  await page.getByRole("button", { name: "End call" }).click();
  const dialog = page.getByRole("dialog", { name: "End this call?" });
  await dialog.getByRole("button", { name: "End call" }).click();
  await page.getByText("This call has ended.").waitFor({ timeout: 30_000 });
  await screenshot(page, "flow-9-live-ended");
  const actions = (await server.api("GET", `/api/live-calls/${callId}/actions`)).body.items ?? [];
  assert.ok(actions.some((a) => a.action === "END_CALL"), `END_CALL recorded: ${JSON.stringify(actions)}`);

  // ---- 6. the finished call's page and its recording
  await until("the call record", async () => (await server.api("GET", `/api/calls/${callId}`)).status === 200, 30_000);
  await page.getByRole("link", { name: "Open the call record" }).click();
  await page.waitForURL(new RegExp(`/calls/${callId}$`));
  const audio = page.getByLabel("Call recording");
  await audio.waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => (document.querySelector("audio")?.readyState ?? 0) >= 1);
  await audio.evaluate((a) => a.play());
  await page.waitForFunction(() => (document.querySelector("audio")?.currentTime ?? 0) > 0.5, null, { timeout: 15_000 });
  await audio.evaluate((a) => a.pause());
  await screenshot(page, "flow-10-call-page");

  // Stop dialing the rest of the list.
  assert.equal((await server.api("POST", `/api/jobs/${jobId}/cancel`)).status, 200);
  assert.deepEqual(clientErrors.map((e) => e.match(/status of (\d+)/)[1]), ["422"], "the one rejected field");
  assert.deepEqual(consoleErrors, []);
});
