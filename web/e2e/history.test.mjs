// History, contacts and settings in a real browser against a real `voqo serve`
// whose trunk is a callee-sim: two calls are placed through the API (one
// "interested" callee that books a demo, one busy line), then the calls list
// and its URL-kept filters, the call's page (transcript, summary, memories,
// recording played and seeked through HTTP ranges), the contact's manual
// memories (add, edit, delete), a contact rejected by the API, and the
// settings page (SMS preview, save + reload, a write-only provider key).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { artifactsDir, describedText, eventually, launchBrowser, screenshot, startServer, until } from "./harness.mjs";

const INTERESTED = "+14155550100"; // callee-sim persona by last digit: 0 = interested → Demo Scheduled
const BUSY = "+14155550106"; // 6 = busy → status busy

/** The body of a successful api() answer ({status, body}); fails the test on an error status. */
function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Waits until GET /api/calls/{id} answers 200 (the record is written when the
 * call ends) and the record satisfies `ready` (say, the follow-up SMS the outbox
 * sends a moment later).
 */
function waitForCall(server, id, ms, ready = () => true, what = "to end") {
  return server.waitFor(async () => {
    const r = await server.api("GET", `/api/calls/${id}`);
    return r.status === 200 && ready(r.body) ? r.body : null;
  }, ms, `call ${id} ${what}`);
}

/** The visible rows of the table named `name`. */
const rows = (page, name) => page.getByRole("table", { name, exact: true }).locator("tbody tr");


test("history: calls list filters, call page with transcript and seekable recording, memories, settings", { timeout: 360_000 }, async (t) => {
  const server = await startServer({ sims: true });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  // ---- fixtures through the API: an agent and two calls
  const agent = ok(await server.api("POST", "/api/agents", { name: "History Agent", systemPrompt: "You book demos for our team." }), "create agent");
  const placedOk = ok(await server.api("POST", "/api/calls", { agentId: agent.id, to: INTERESTED }), "place call");
  const placedBusy = ok(await server.api("POST", "/api/calls", { agentId: agent.id, to: BUSY }), "place call");
  const busy = await waitForCall(server, placedBusy.id, 60_000);
  assert.equal(busy.status, "busy");
  // The outbox sends the follow-up SMS after the record is written: the call's page shows it sent.
  const call = await waitForCall(server, placedOk.id, 180_000, (c) => c.status !== "completed" || c.smsSent, "to end and its SMS to be sent");
  assert.equal(call.status, "completed");
  assert.equal(call.outcome, "Demo Scheduled");
  assert.ok(call.transcript.length >= 4, "the call has a transcript");
  assert.ok(call.recordingUrl, "the call has a recording");
  assert.ok(call.contactId, "a contact was created from the call");
  const autoMemories = ok(await server.api("GET", `/api/contacts/${call.contactId}/memories`), "memories").items.filter((m) => m.callId === call.id);
  assert.ok(autoMemories.length > 0, "the call produced memories");

  // ---- calls list: both calls, then filters that narrow it and live in the URL
  await page.goto(`${base}/calls`);
  await page.getByRole("heading", { name: "Calls", level: 1 }).waitFor();
  const calls = rows(page, "Calls");
  await calls.nth(1).waitFor();
  assert.equal(await calls.count(), 2);
  const okRow = calls.filter({ hasText: INTERESTED });
  assert.match(await okRow.innerText(), /Completed[\s\S]*Demo Scheduled/);
  assert.match(await okRow.innerText(), /History Agent/);
  assert.match(await calls.filter({ hasText: BUSY }).innerText(), /Busy/);

  await page.getByLabel("Status").selectOption("completed");
  await page.waitForURL(/[?&]status=completed/);
  await okRow.waitFor();
  await calls.filter({ hasText: BUSY }).waitFor({ state: "detached" });
  assert.equal(await calls.count(), 1);

  await page.getByLabel("Outcome").selectOption("Not Interested");
  await page.getByText("No calls match these filters.").waitFor();

  await page.getByLabel("Outcome").selectOption("Demo Scheduled");
  await okRow.waitFor();
  assert.equal(await calls.count(), 1);
  // A linked, filtered view: a fresh load of the URL shows the same filters and rows.
  await page.reload();
  await okRow.waitFor();
  assert.equal(await page.getByLabel("Status").inputValue(), "completed");
  assert.equal(await page.getByLabel("Outcome").inputValue(), "Demo Scheduled");
  assert.equal(await calls.count(), 1);

  await page.getByRole("button", { name: "Clear filters" }).click();
  await calls.nth(1).waitFor();
  await page.getByLabel("Phone number").fill(BUSY);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL(/[?&]phone=/);
  await calls.filter({ hasText: INTERESTED }).waitFor({ state: "detached" });
  assert.equal(await calls.count(), 1);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await calls.nth(1).waitFor();
  // An agent filter from the select of agents.
  await page.getByLabel("Agent").selectOption({ label: "History Agent" });
  await page.waitForURL(new RegExp(`agentId=${agent.id}`));
  await calls.nth(1).waitFor();
  await screenshot(page, "history-calls");

  // ---- the call's page
  await okRow.getByRole("link").first().click();
  await page.waitForURL(new RegExp(`/calls/${call.id}$`));
  await page.getByRole("heading", { name: `Call with ${INTERESTED}`, level: 1 }).waitFor();
  const summary = page.getByRole("region", { name: "Summary" });
  assert.equal((await summary.locator("p").innerText()).trim(), call.summary.trim());
  const transcript = page.getByRole("region", { name: "Transcript" }).locator("li");
  assert.equal(await transcript.count(), call.transcript.length);
  assert.match(await transcript.nth(1).innerText(), new RegExp(call.transcript[1].speaker, "i"));
  assert.ok((await transcript.nth(1).innerText()).includes(call.transcript[1].text));
  const memoriesHere = page.getByRole("list", { name: "Memories from this call" });
  for (const m of autoMemories) await memoriesHere.getByText(m.content).waitFor();
  await page.getByRole("heading", { name: "Analytics" }).waitFor();
  await eventually("the SMS shown sent", () => page.getByRole("region", { name: "Call details" }).innerText(), /Follow-up SMS\s*Sent/);

  // The recording: served with ranges, played (time advances), seeked (a ranged request from the middle).
  const ranged = [];
  page.on("response", (r) => {
    if (r.url().includes(`/api/calls/${call.id}/recording`)) ranged.push({ status: r.status(), range: r.request().headers()["range"] ?? "" });
  });
  const audio = page.getByLabel("Call recording");
  // The element's URL carries a ticket (POST /api/tickets) for exactly this recording, never a key.
  const src = await eventually("the recording's ticketed src", () => audio.getAttribute("src"), new RegExp(`/api/calls/${call.id}/recording\\?ticket=`));
  assert.doesNotMatch(src, /apiKey|ak_/);
  await page.waitForFunction(() => document.querySelector("audio")?.readyState >= 1);
  const [duration, seekableEnd] = await audio.evaluate((a) => [a.duration, a.seekable.length ? a.seekable.end(0) : 0]);
  assert.ok(Math.abs(duration - call.duration) < 2, `recording lasts about the call's ${call.duration} s (got ${duration})`);
  assert.ok(seekableEnd > duration - 1, "the whole recording is seekable");

  const target = Math.max(1, duration - 8);
  await audio.evaluate((a, to) => new Promise((res) => { a.addEventListener("seeked", res, { once: true }); a.currentTime = to; }), target);
  await page.waitForFunction(() => document.querySelector("audio").readyState >= 2);
  assert.ok(Math.abs((await audio.evaluate((a) => a.currentTime)) - target) < 0.5, "the seek landed");
  assert.ok(
    ranged.some((r) => r.status === 206 && /^bytes=[1-9]\d*-/.test(r.range)),
    `a ranged request from past the start was served with 206 (saw ${JSON.stringify(ranged)})`,
  );

  // Play from a transcript line (a user gesture): the time moves from that line on.
  const line = call.transcript[2];
  const m = Math.floor(line.startMs / 1000);
  const label = `Play from ${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
  await page.getByRole("button", { name: label }).first().click();
  await page.waitForFunction((from) => { const a = document.querySelector("audio"); return !a.paused && a.currentTime > from + 0.7; }, line.startMs / 1000, { timeout: 10_000 });
  await audio.evaluate((a) => a.pause());
  await screenshot(page, "history-call");

  // ---- the contact: automatic memories link to the call; manual ones are added, edited, deleted
  await page.getByRole("link", { name: "Open contact" }).click();
  await page.waitForURL(new RegExp(`/contacts/${call.contactId}$`));
  // exact: "Memories from this call" (the call page, still shown while the contact page renders) must not match.
  const memories = page.getByRole("list", { name: "Memories", exact: true });
  await memories.getByText(autoMemories[0].content).waitFor();
  const callLinks = memories.getByRole("link", { name: "from this call" });
  await until("a call link on each automatic memory", async () => (await callLinks.count()) === autoMemories.length, 10_000).catch(async (e) => {
    throw new Error(`${e.message}; the list shows: ${await memories.innerText()}`);
  });
  assert.equal(await memories.getByRole("button", { name: /^Edit:/ }).count(), 0, "automatic memories are not editable");
  // The contact's calls (by phone).
  await rows(page, "Calls with this contact").first().waitFor();
  assert.equal(await rows(page, "Calls with this contact").count(), 1);

  await page.getByLabel("New memory").fill("Prefers morning calls");
  await page.getByRole("button", { name: "Add memory" }).click();
  const manual = memories.locator("li", { hasText: "Prefers morning calls" });
  await manual.waitFor();
  assert.match(await manual.innerText(), /manual/);
  await screenshot(page, "history-contact");

  await manual.getByRole("button", { name: "Edit: Prefers morning calls" }).click();
  await page.getByLabel("Edit memory").fill("Prefers calls before 10 AM");
  await page.getByRole("button", { name: "Save memory" }).click();
  await page.getByLabel("Edit memory").waitFor({ state: "detached" });
  const edited = memories.locator("li", { hasText: "Prefers calls before 10 AM" });
  await edited.waitFor();
  let stored = ok(await server.api("GET", `/api/contacts/${call.contactId}/memories`), "memories").items;
  const saved = stored.find((x) => x.source === "manual");
  assert.equal(saved?.content, "Prefers calls before 10 AM");

  await edited.getByRole("button", { name: "Delete: Prefers calls before 10 AM" }).click();
  await edited.getByRole("button", { name: /^Confirm delete/ }).click();
  await edited.waitFor({ state: "detached" });
  stored = ok(await server.api("GET", `/api/contacts/${call.contactId}/memories`), "memories").items;
  assert.equal(stored.filter((x) => x.source === "manual").length, 0, "the manual memory is gone");
  assert.equal(stored.length, autoMemories.length, "the automatic memories stay");

  // ---- contacts: the API's own message beside a rejected field
  await page.goto(`${base}/contacts`);
  await rows(page, "Contacts").first().waitFor();
  await page.getByRole("button", { name: "New contact" }).click();
  const form = page.getByRole("form", { name: "New contact" });
  await form.getByLabel("Name").fill("Robin Park");
  await form.getByLabel("Phone").fill("not a phone");
  await form.getByRole("button", { name: "Create contact" }).click();
  await form.getByText("not a phone number").waitFor();
  assert.match(await describedText(form.getByLabel("Phone")), /not a phone number/);
  await form.getByLabel("Phone").fill("+14155550177");
  await form.getByRole("button", { name: "Create contact" }).click();
  await page.getByRole("heading", { name: "Robin Park", level: 1 }).waitFor();

  // ---- settings: SMS template preview, save, reload
  await page.goto(`${base}/settings`);
  const template = page.getByLabel("SMS template");
  await template.waitFor();
  const preview = page.getByRole("status", { name: "SMS preview" });
  const count = page.getByTestId("sms-count");
  const previewText = async () => (await preview.innerText()).trim();
  // The default template renders to two GSM-7 segments.
  await eventually("the default template's segments", () => count.innerText(), /2 SMS segments · GSM-7/);
  await template.fill("Hi {caller_name} 👋 - {agent_name}");
  await eventually("the preview", previewText, "Hi Jordan Lee 👋 - Ava");
  await eventually("the segments", () => count.innerText(), /1 SMS segment · UCS-2/);
  await template.fill("Hi {caller_name}, thanks for your time: {call_summary}. - {agent_name}");
  await eventually(
    "the preview",
    previewText,
    "Hi Jordan Lee, thanks for your time: You asked about our pricing and booked a demo for Tuesday at 10 AM. - Ava",
  );
  await eventually("the segments", () => count.innerText(), /^110 characters · 1 SMS segment · GSM-7/);
  await page.getByRole("button", { name: "Save Follow-up SMS" }).click();
  await page.getByText("Follow-up SMS saved.").waitFor();
  assert.equal(ok(await server.api("GET", "/api/settings"), "settings").sms_template, "Hi {caller_name}, thanks for your time: {call_summary}. - {agent_name}");
  await page.reload();
  await template.waitFor();
  assert.equal(await template.inputValue(), "Hi {caller_name}, thanks for your time: {call_summary}. - {agent_name}");

  // A rejected setting: the API's message beside its field.
  await page.getByLabel("Default region").fill("ZZ");
  await page.getByRole("button", { name: "Save Dialing" }).click();
  await page.getByText("must be an ISO 3166-1 region code").waitFor();
  assert.match(await describedText(page.getByLabel("Default region")), /ISO 3166-1 region code/);
  await page.getByLabel("Default region").fill("US");

  // Inbound security: a malformed network is named by the API beside the field; a valid list is saved.
  const sources = page.getByLabel("Allowed sources");
  await sources.fill("203.0.113.0/24, 10.0.0.1/8");
  await page.getByRole("button", { name: "Save Inbound security" }).click();
  await page.getByText("10.0.0.1/8: address bits are set past the prefix length").waitFor();
  assert.match(await describedText(sources), /set past the prefix length/);
  await sources.fill("203.0.113.0/24, 2001:db8::/32");
  await page.getByLabel("Calls at once").fill("40");
  await page.getByRole("button", { name: "Save Inbound security" }).click();
  await page.getByText("Inbound security saved.").waitFor();
  const inbound = ok(await server.api("GET", "/api/settings"), "settings");
  assert.deepEqual(inbound.sip_inbound_sources, ["203.0.113.0/24", "2001:db8::/32"]);
  assert.equal(inbound.max_concurrent_calls, 40);
  await page.locator("#settings-inbound-security").screenshot({ path: path.join(artifactsDir, "history-settings-inbound-security.png") });

  // A provider key is write-only: saved, then never shown again.
  const key = page.getByLabel("Deepgram API key", { exact: true });
  assert.equal(await key.getAttribute("type"), "password");
  assert.equal(await key.getAttribute("placeholder"), "not set");
  await key.fill("dg-secret-123");
  await page.getByRole("button", { name: "Save Speech providers" }).click();
  await page.getByText("Speech providers saved.").waitFor();
  await eventually("the key field emptied", () => key.inputValue(), "");
  await eventually("the key shown as set", () => key.getAttribute("placeholder"), "•••••••• (set)");
  await page.reload();
  await key.waitFor();
  await eventually("the key shown as set after a reload", () => key.getAttribute("placeholder"), "•••••••• (set)");
  assert.equal(await key.inputValue(), "");
  await screenshot(page, "history-settings");
  // Saving the section again without touching the key keeps the stored key.
  await page.getByLabel("Deepgram model").fill("nova-2");
  await page.getByRole("button", { name: "Save Speech providers" }).click();
  await page.getByText("Speech providers saved.").waitFor();
  const settings = ok(await server.api("GET", "/api/settings"), "settings");
  assert.equal(settings.speech_providers.deepgram.model, "nova-2");
  assert.equal(settings.speech_providers.deepgram.apiKey, "********", "GET /api/settings masks a stored secret");
  assert.ok(!(await page.content()).includes("dg-secret-123"), "the key is not in the page");

  assert.deepEqual(consoleErrors, []);
  // The only 4xx answers are the three rejected on purpose (a contact's phone, the default region, a network).
  assert.equal(clientErrors.length, 3, clientErrors.join("\n"));
  assert.ok(clientErrors.every((e) => /status of 422/.test(e)), clientErrors.join("\n"));
});
