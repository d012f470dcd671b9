// Compliance and deliveries in a real browser against a real `voqo serve`
// whose trunk is a callee-sim. The do-not-call page: a number added through
// the form (after one the API rejects, its message beside the Phone field),
// a CSV imported through the file input with its report (added, already
// listed, rejected rows with line and reason), "Load more", a number removed
// through the inline confirm, and the number of a callee who said "stop
// calling me" listed automatically with its source and a link to the call.
// The deliveries page: the follow-up SMS of a completed call, and the
// webhook events (call.started, call.ended) delivered to a receiver this
// test runs, each linked to its call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { accessibilityViolations, describedText, eventually, launchBrowser, screenshot, startServer, until } from "./harness.mjs";

const INTERESTED = "+14155550100"; // callee-sim persona by last digit: 0 = interested
const STOP = "+14155550107"; // 7 = says "stop calling me"

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A webhook receiver on loopback that answers 200 and keeps what it got. */
async function startReceiver() {
  const got = [];
  const srv = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      try {
        got.push(JSON.parse(body));
      } catch {
        got.push(body);
      }
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${srv.address().port}/hook`, got, stop: () => new Promise((r) => srv.close(r)) };
}

const rows = (page, name) => page.getByRole("table", { name, exact: true }).locator("tbody tr");

test("compliance: do-not-call list (form, CSV import, remove, stop-calling-me) and SMS/webhook deliveries", { timeout: 360_000 }, async (t) => {
  const server = await startServer({ sims: true });
  t.after(() => server.stop());
  const receiver = await startReceiver();
  t.after(() => receiver.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  // ---- the calls first (they take a while): one callee asks to stop, one is interested; the agent has a webhook
  // The receiver is on loopback: webhooks there need the opt-in (the SSRF guard refuses them by default).
  ok(await server.api("PUT", "/api/settings/allow_private_tool_hosts", { value: true }), "allow loopback webhooks");
  const agent = ok(await server.api("POST", "/api/agents", { name: "Compliance Agent", systemPrompt: "You book demos for our team.", webhookUrl: receiver.url }), "create agent");
  const stopCall = ok(await server.api("POST", "/api/calls", { agentId: agent.id, to: STOP }), "place stop call");
  const okCall = ok(await server.api("POST", "/api/calls", { agentId: agent.id, to: INTERESTED }), "place interested call");

  // ---- add a number: first one the API rejects, its own message beside the Phone field
  const apiMessage = (await server.api("POST", "/api/do-not-call", { phone: "12345" })).body.errors.find((e) => e.field === "phone").message;
  await page.goto(`${base}/do-not-call`);
  await page.getByRole("heading", { name: "Do not call", level: 1 }).waitFor();
  await page.getByText(/never dialed/).waitFor();
  const phone = page.getByLabel("Phone", { exact: true });
  await phone.fill("12345");
  await page.getByRole("button", { name: "Add to list" }).click();
  await until("the API's message beside Phone", async () => (await describedText(phone)).includes(apiMessage), 10_000);
  await eventually("Phone marked invalid", () => phone.getAttribute("aria-invalid"), "true");

  await phone.fill("+1 202 555 0143");
  await page.getByLabel("Reason (optional)").fill("Asked by email");
  await page.getByRole("button", { name: "Add to list" }).click();
  await page.getByRole("status").filter({ hasText: "+12025550143 is on the list." }).waitFor();
  const list = rows(page, "Do-not-call numbers");
  const added = list.filter({ hasText: "+12025550143" });
  await added.waitFor();
  assert.match(await added.innerText(), /Asked by email[\s\S]*Added by hand/);
  assert.equal(await describedText(phone).then((d) => d.includes(apiMessage)), false, "the error is gone after a good submit");

  // ---- import a CSV: 55 good numbers, one bad (line 3), one already listed (line 4)
  const good = Array.from({ length: 55 }, (_, i) => `+1202555${1000 + i}`);
  const csv = ["phone,name", `${good[0]},First`, "not-a-number,Bad", "(202) 555-0143,Dup", ...good.slice(1).map((p, i) => `${p},N${i}`)].join("\n") + "\n";
  await page.getByLabel("CSV file").setInputFiles({ name: "dnc.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Import numbers" }).click();
  await page.getByRole("heading", { name: "Imported dnc.csv" }).waitFor();
  const counts = await page.locator(".compliance-counts").innerText();
  assert.match(counts, /Added\s*55\b/);
  assert.match(counts, /Already listed\s*1\b/);
  assert.match(counts, /Rejected\s*1\b/);
  const rejected = rows(page, "Rejected rows");
  assert.equal(await rejected.count(), 1);
  assert.deepEqual(await rejected.first().locator("td").allInnerTexts(), ["3", "not a phone number"]);
  await list.filter({ hasText: good[54] }).waitFor();
  assert.match(await list.filter({ hasText: good[54] }).innerText(), /CSV import/);
  await screenshot(page, "compliance-dnc-import");
  assert.deepEqual(await accessibilityViolations(page), []);

  // ---- 56+ numbers: the first page holds 50, "Load more" brings the rest (the form's number among them)
  assert.equal(await list.count(), 50);
  await page.getByRole("button", { name: "Load more" }).click();
  await until("all numbers after Load more", async () => (await list.count()) >= 56, 10_000);
  assert.equal(await page.getByRole("button", { name: /Load more|Loading/ }).count(), 0, "no more pages");

  // ---- remove a number through the inline confirm (Cancel first, then for real)
  await page.getByRole("button", { name: "Remove +12025550143" }).click();
  await page.getByRole("group", { name: "Confirm removing +12025550143" }).getByRole("button", { name: "Cancel" }).click();
  await eventually("Cancel returns focus to Remove", () => page.getByRole("button", { name: "Remove +12025550143" }).evaluate((el) => el === document.activeElement), true);
  await page.getByRole("button", { name: "Remove +12025550143" }).click();
  await page.getByRole("button", { name: "Yes, remove +12025550143" }).click();
  await added.waitFor({ state: "detached" });
  await page.getByRole("status").filter({ hasText: "+12025550143 was removed from the list." }).waitFor();
  assert.equal(ok(await server.api("GET", "/api/do-not-call?phone=%2B12025550143"), "find removed").items.length, 0);

  // ---- "stop calling me": the callee's number is listed automatically with source call
  const auto = await until("the stop-calling-me number on the list", async () => {
    const r = await server.api("GET", `/api/do-not-call?phone=${encodeURIComponent(STOP)}`);
    return r.status === 200 && r.body.items[0];
  }, 180_000, 500);
  assert.equal(auto.source, "call");
  assert.equal(auto.callId, stopCall.id);
  await page.reload();
  await page.getByLabel("Find a number").fill("(415) 555-0107");
  await page.getByRole("button", { name: "Find", exact: true }).click();
  await page.waitForURL(/[?&]phone=/);
  await until("one row", async () => (await list.count()) === 1, 10_000);
  assert.match(await list.first().innerText(), /\+14155550107[\s\S]*Asked on a call/);
  assert.equal(await list.first().getByRole("link", { name: `The call in which ${STOP} asked` }).getAttribute("href"), `/calls/${stopCall.id}`);
  await page.getByLabel("Source").selectOption("import");
  await page.getByText("No number on the list matches.").waitFor();
  await page.getByRole("button", { name: "Show all" }).click();
  await list.nth(49).waitFor();
  await page.getByLabel("Source").selectOption("call");
  await until("one row", async () => (await list.count()) === 1, 10_000);
  await screenshot(page, "compliance-dnc");
  assert.deepEqual(await accessibilityViolations(page), []);

  // ---- deliveries: the follow-up SMS of the completed call
  const call = await server.waitFor(async () => {
    const r = await server.api("GET", `/api/calls/${okCall.id}`);
    return r.status === 200 ? r.body : null;
  }, 180_000, "the interested call to end");
  assert.equal(call.status, "completed");
  // The outbox takes it from queued to sent: wait for that, so the page and this test see the same status.
  const sms = await until("the follow-up SMS, sent", async () => {
    const m = ok(await server.api("GET", `/api/sms-messages?callId=${okCall.id}`), "sms").items[0];
    return m && m.status !== "queued" && m;
  }, 60_000);
  assert.equal(sms.status, "sent");
  assert.equal(sms.toPhone, INTERESTED);
  // Both calls' webhooks (call.started + call.ended each) delivered to the receiver.
  await until("4 delivered webhook events", async () =>
    ok(await server.api("GET", "/api/webhook-events?status=delivered"), "events").items.length >= 4, 120_000, 500);
  assert.ok(receiver.got.length >= 4, `the receiver got the events (${receiver.got.length})`);

  await page.goto(`${base}/deliveries`);
  await page.getByRole("heading", { name: "SMS & webhooks", level: 1 }).waitFor();
  const smsTab = page.getByRole("tab", { name: "Follow-up SMS" });
  await eventually("the SMS tab selected", () => smsTab.getAttribute("aria-selected"), "true");
  const smsRows = rows(page, "Follow-up SMS");
  const smsRow = smsRows.filter({ hasText: INTERESTED });
  await smsRow.waitFor();
  const smsText = await smsRow.innerText();
  assert.ok((await smsRow.textContent()).includes(sms.body), "the SMS body is shown");
  if (sms.body.length > 160) {
    // A long body is clamped to a few lines; "Show all" opens it.
    const more = smsRow.getByRole("button", { name: "Show all" });
    await more.click();
    await eventually("the body expanded", () => smsRow.getByRole("button", { name: "Show less" }).getAttribute("aria-expanded"), "true");
  }
  assert.ok(smsText.includes(sms.status), "its status is shown");
  assert.ok(smsText.includes(sms.provider), "its provider is shown");
  assert.equal(await smsRow.getByRole("link", { name: `View call of the SMS to ${INTERESTED}` }).getAttribute("href"), `/calls/${okCall.id}`);
  // The status filter narrows the list (kept in the URL).
  const other = sms.status === "skipped" ? "failed" : "skipped";
  await page.getByLabel("Status").selectOption(other);
  await page.waitForURL(new RegExp(`status=${other}`));
  await smsRow.waitFor({ state: "detached" });
  await page.getByLabel("Status").selectOption(sms.status);
  await smsRow.waitFor();
  await page.getByLabel("Status").selectOption("");
  await screenshot(page, "compliance-deliveries");
  assert.deepEqual(await accessibilityViolations(page), []);

  // ---- webhook events, reached by keyboard on the tab list
  await smsTab.focus();
  await page.keyboard.press("ArrowRight");
  const hookTab = page.getByRole("tab", { name: "Webhook events" });
  await eventually("the arrow key selects the webhooks tab", () => hookTab.getAttribute("aria-selected"), "true");
  await eventually("focus follows the selected tab", () => hookTab.evaluate((el) => el === document.activeElement), true);
  await page.waitForURL(/tab=webhooks/);
  const hooks = rows(page, "Webhook events");
  await hooks.nth(3).waitFor();
  const ended = hooks.filter({ hasText: "call.ended" }).filter({ has: page.getByRole("link", { name: /View call of call\.ended/ }) });
  assert.ok((await ended.count()) >= 2);
  for (const href of await ended.getByRole("link").evaluateAll((as) => as.map((a) => a.getAttribute("href"))))
    assert.ok([`/calls/${okCall.id}`, `/calls/${stopCall.id}`].includes(href), href);
  assert.match(await ended.first().innerText(), /delivered/);
  await page.getByRole("button", { name: "Refresh" }).click();
  await hooks.nth(3).waitFor();
  await screenshot(page, "compliance-deliveries-webhooks");
  assert.deepEqual(await accessibilityViolations(page), []);

  // Usable at 1024 wide: the page itself never scrolls sideways (wide tables scroll in their own frame).
  await page.setViewportSize({ width: 1024, height: 720 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true);

  assert.deepEqual(consoleErrors, []);
  assert.equal(clientErrors.length, 1, clientErrors.join("\n"));
  assert.match(clientErrors[0], /status of 422/);
});
