// Campaigns in a real browser against a real `voqo serve` with callee-sims as
// its trunk: create a campaign, upload the 100-row fixture by a real
// drag-and-drop (a DataTransfer carrying the file, dispatched on the drop
// zone), compare the rejected-rows table with the API's own report, start a
// job (one client-side check first), watch the live overview move, pause,
// resume and cancel it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { dropFile, fixturesDir, launchBrowser, screenshot, startServer, until } from "./harness.mjs";

const FIXTURE = path.join(fixturesDir, "csv", "customers-100.csv");

/** server.api, asserting a 2xx answer; resolves with the parsed body. */
async function ok(server, method, p, body) {
  const res = await server.api(method, p, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}


/** The number shown by the overview's counter named `name`. */
async function counter(page, name) {
  const text = await page.getByRole("group", { name: "Live counters" }).getByRole("group", { name, exact: true }).locator(".stat").innerText();
  return Number(text);
}

/** The rows of a table as arrays of cell texts. */
async function tableRows(table) {
  return table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
}

test("campaigns: create, drag-and-drop upload with rejected rows, start a job, live overview, pause/resume/cancel", async (t) => {
  const server = await startServer({ sims: true });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  // --- create a campaign through the UI
  await page.goto(`${base}/campaigns`);
  await page.getByRole("heading", { name: "New campaign" }).waitFor();
  await page.getByRole("button", { name: "Create campaign" }).click();
  await page.getByText("must not be empty").waitFor(); // the client-side check mirrors the API's
  await page.getByLabel("Name").fill("Spring open house");
  await page.getByLabel("Description").fill("Invite past customers to the open house");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await page.waitForURL(/\/campaigns\/[a-z0-9]+$/);
  const campaignId = new URL(page.url()).pathname.split("/").pop();
  await page.getByRole("heading", { name: "Spring open house", level: 1 }).waitFor();

  // --- the file input (the keyboard path): the API's own errors, beside the field or as the file's problem
  const fileInput = page.getByLabel("CSV file");
  await page.getByLabel("Default region").fill("XX");
  await fileInput.setInputFiles({ name: "one.csv", mimeType: "text/csv", buffer: Buffer.from("name,phone\nBob,4155550123\n") });
  await page.getByText("must be an ISO 3166-1 region code such as US").waitFor();
  assert.equal(
    await page.getByLabel("Default region").evaluate((el) => document.getElementById(el.getAttribute("aria-describedby").split(" ")[0]).textContent),
    "must be an ISO 3166-1 region code such as US",
    "the region's error is tied to the field",
  );
  await page.getByLabel("Default region").fill("");
  await fileInput.setInputFiles({ name: "no-phone.csv", mimeType: "text/csv", buffer: Buffer.from("name,city\nBob,Paris\n") });
  await page.getByRole("alert").getByText(/no phone column/).waitFor();

  // --- upload the fixture by drag and drop
  const csv = await readFile(FIXTURE, "utf8");
  const zone = page.getByRole("group", { name: "CSV drop zone" });
  await dropFile(page, zone, "customers-100.csv", csv, async () => {
    assert.match((await zone.getAttribute("class")) ?? "", /dragging/, "the drop zone highlights while a file is over it");
  });
  await page.getByRole("heading", { name: "Import report: customers-100.csv" }).waitFor();

  // The API's own report of that upload.
  const uploads = await ok(server, "GET", `/api/campaigns/${campaignId}/uploads`);
  assert.equal(uploads.items.length, 1, "the refused files left no upload");
  const upload = uploads.items[0];
  const rejections = await ok(server, "GET", `/api/uploads/${upload.id}/rejections?severity=error&limit=500`);
  assert.ok(rejections.items.length > 0, "the fixture has rejected rows");
  assert.equal(rejections.items.length, upload.rejectedRows);
  const summary = await page
    .locator(".campaigns-summary")
    .evaluate((dl) => Object.fromEntries([...dl.querySelectorAll("div")].map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])));
  assert.deepEqual(summary, {
    "Rows in file": String(upload.totalRows),
    Imported: String(upload.importedRows),
    Rejected: String(upload.rejectedRows),
    Warnings: "0",
    Delimiter: "comma (,)",
    "Phone column": "Phone 1",
    "Name column": "First Name + Last Name",
  });

  // The rejected-rows table, page by page, equals the API's rejections.
  const table = page.getByRole("table", { name: /^Rejected rows/ });
  const shown = [];
  for (;;) {
    shown.push(...(await tableRows(table)));
    const next = page.getByRole("navigation", { name: "Rejected rows pages" }).getByRole("button", { name: "Next" });
    if (!(await next.count()) || (await next.isDisabled())) break;
    const first = await table.locator("tbody tr").first().innerText();
    await next.click();
    await until("the next page", async () => (await table.locator("tbody tr").first().innerText()) !== first, 10_000);
  }
  assert.deepEqual(
    shown,
    rejections.items.map((r) => [String(r.line), r.column || "(whole row)", r.reason]),
  );
  const previous = page.getByRole("navigation", { name: "Rejected rows pages" }).getByRole("button", { name: "Previous" });
  // One click per render: a click read as enabled before the last page turn rendered would wait on a disabled button.
  await until("back on the first page", async () => {
    if (await previous.isEnabled()) await previous.click({ timeout: 1_000 }).catch(() => {});
    return (await previous.isDisabled()) && JSON.stringify((await tableRows(table))[0]) === JSON.stringify(shown[0]);
  }, 20_000, 200);
  await screenshot(page, "campaigns-upload-report");

  // The same report read back later from the API (the upload's "Report" button).
  await page.getByRole("button", { name: /^Show the import report of customers-100\.csv/ }).click();
  await page.getByRole("button", { name: "Close report" }).waitFor();
  await until("the stored report's rows", async () => (await table.locator("tbody tr").count()) > 0, 10_000);
  assert.deepEqual(await tableRows(table), shown.slice(0, await table.locator("tbody tr").count()));
  await page.getByRole("button", { name: "Close report" }).click();

  // --- the list shows the campaign with its counts
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Campaigns" }).click();
  const row = page.getByRole("row", { name: /Spring open house/ });
  await row.waitFor();
  await until("the upload counts", async () => {
    const cells = await row.locator("td").allInnerTexts();
    return cells[2] === "1" && cells[3] === String(upload.importedRows);
  }, 10_000);
  await screenshot(page, "campaigns-list");
  await row.getByRole("link", { name: "Spring open house" }).click();

  // --- start a job with an agent created through the API
  const agent = await ok(server, "POST", "/api/agents", {
    name: "Open House Caller",
    systemPrompt: "You invite past customers to the spring open house.",
  });
  await page.reload(); // the form reads the agents when the page opens
  const form = page.getByRole("form", { name: "Start a job" });
  await form.waitFor();
  await form.getByLabel("Agent").selectOption(agent.id);
  await form.getByLabel("Contact list").selectOption(upload.id);
  await form.getByLabel("Max concurrent calls").fill("4");
  await form.getByLabel("Calls per second").fill("4");
  await form.getByLabel("Window start").fill("08:00");
  await form.getByLabel("Window end").fill("08:00");
  await form.getByLabel("Time zone").fill("Europe/Paris");
  for (const day of ["Sat", "Sun"]) await form.getByLabel(day, { exact: true }).check();
  await form.getByLabel("Max attempts").fill("1");
  await form.getByLabel("Backoff (minutes)").fill("0");
  await form.getByRole("button", { name: "Start job" }).click();
  await form.getByText("must differ from start (use 00:00-24:00 for the whole day)").waitFor();
  assert.ok(page.url().endsWith(`/campaigns/${campaignId}`), "an invalid window does not start a job");
  await form.getByLabel("Window start").fill("00:00");
  await form.getByLabel("Window end").fill("24:00");
  await screenshot(page, "campaigns-job-form");
  await form.getByRole("button", { name: "Start job" }).click();
  await page.waitForURL(/\/jobs\/[a-z0-9]+$/);
  const jobId = new URL(page.url()).pathname.split("/").pop();
  const created = await ok(server, "GET", `/api/jobs/${jobId}`);
  assert.equal(created.agentId, agent.id);
  assert.equal(created.maxConcurrent, 4);
  assert.deepEqual(created.retry, { maxAttempts: 1, backoffMinutes: 0 });
  assert.deepEqual(created.callingWindow, { start: "00:00", end: "24:00", timezone: "Europe/Paris", daysOfWeek: [1, 2, 3, 4, 5, 6, 7] });

  // --- the live overview moves
  await page.getByText("Live", { exact: true }).waitFor(); // the realtime socket is up
  await until("calls placed", async () => (await counter(page, "Placed")) > 0, 60_000);
  await until("a completed call", async () => (await counter(page, "Completed")) > 0, 120_000, 500);
  const completed1 = await counter(page, "Completed");
  await page.getByRole("img", { name: /^Outcomes: / }).waitFor();
  const feed = page.getByRole("heading", { name: "Recent calls" }).locator("xpath=..").getByRole("table");
  await until("the recent calls feed", async () => (await feed.locator("tbody tr").count()) > 0, 30_000);
  const href = await feed.locator("tbody tr").first().getByRole("link").getAttribute("href");
  assert.match(href, /^\/(calls|live)\/[a-z0-9]+$/);
  await until("more completed calls", async () => (await counter(page, "Completed")) > completed1, 120_000, 500);
  const bar = page.getByRole("progressbar", { name: "Job progress" });
  assert.ok(Number(await bar.getAttribute("aria-valuenow")) > 0);
  assert.equal(Number(await bar.getAttribute("aria-valuemax")), upload.importedRows);
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  await page.getByText(/^dialing \+\d+ \(attempt 1 of 1\)/).first().waitFor({ timeout: 15_000 });
  await screenshot(page, "campaigns-job-overview");

  // --- pause, resume, cancel
  const controls = page.getByRole("group", { name: "Job controls" });
  await controls.getByRole("button", { name: "Pause" }).click();
  await until("paused", async () => (await ok(server, "GET", `/api/jobs/${jobId}`)).pausedAt !== null, 10_000);
  await controls.getByRole("button", { name: "Resume" }).waitFor();
  await until("Resume enabled", async () => await controls.getByRole("button", { name: "Resume" }).isEnabled(), 10_000);
  assert.ok(await controls.getByRole("button", { name: "Pause" }).isDisabled());
  await page.getByText("paused", { exact: true }).first().waitFor();
  await controls.getByRole("button", { name: "Resume" }).click();
  await until("resumed", async () => (await ok(server, "GET", `/api/jobs/${jobId}`)).pausedAt === null, 10_000);
  await until("Pause enabled", async () => await controls.getByRole("button", { name: "Pause" }).isEnabled(), 10_000);

  await controls.getByRole("button", { name: "Cancel job" }).click();
  await page.getByRole("button", { name: "Yes, cancel the job" }).click();
  await until("cancelled", async () => (await ok(server, "GET", `/api/jobs/${jobId}`)).status === "cancelled", 15_000);
  await page.locator(".campaigns-state").getByText("cancelled", { exact: true }).waitFor();
  // The live counters follow: the pending calls failed as "cancelled".
  await until("no pending calls", async () => (await counter(page, "Pending")) === 0, 15_000);
  const cancelled = await ok(server, "GET", `/api/jobs/${jobId}`);
  await until("the failed counter", async () => (await counter(page, "Failed")) >= cancelled.failedCalls, 15_000);
  for (const name of ["Pause", "Resume", "Cancel job"])
    assert.ok(await controls.getByRole("button", { name }).isDisabled(), `${name} is disabled once the job is cancelled`);
  await screenshot(page, "campaigns-job-cancelled");

  assert.deepEqual(consoleErrors, []);
  // The only 4xx answers are the two refused uploads (the invalid window never reached the API).
  assert.equal(clientErrors.length, 2, clientErrors.join("\n"));
  assert.ok(clientErrors.every((e) => /status of 422/.test(e) && /\/uploads\?/.test(e)), clientErrors.join("\n"));
});
