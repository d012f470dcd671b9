// The live monitor in a real browser against a real `voqo serve` calling a
// `voqo callee-sim`: a call to the "interested" persona (last digit 0: it
// answers every agent turn, about 75 s in all) appears in /live, its page
// shows the transcript growing with interim (greyed, italic) and final lines,
// moving level meters and the insight panels; the API's per-field errors
// show beside the supervisor's fields; "Join with microphone" (Chromium's
// fake microphone) sends and receives PCM frames on the audio WebSocket;
// END_CALL (confirmed in a dialog) ends the call: the ended banner links to
// the call record, whose status the API reports as completed. A supervisor
// signed in elsewhere gets the controls; a viewer watches without them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, screenshot, startServer, until } from "./harness.mjs";

const PHONE = "+12125550100"; // callee-sim's default rule: last digit 0 → interested


test("live monitor: list, transcript, meters, field errors, join with microphone, END_CALL", async (t) => {
  const server = await startServer({ sims: true });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser({
    args: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
  });
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  const { body: agent } = await server.api("POST", "/api/agents", {
    name: "Live Monitor Agent",
    systemPrompt: "You are a friendly property sales agent.",
    template: "property_sales",
    purpose: "sales",
  });
  assert.ok(agent.id, `agent created: ${JSON.stringify(agent)}`);

  // --- the list: empty, then the call appears -------------------------------
  await page.goto(`${base}/live`);
  await page.getByRole("heading", { name: "Live calls" }).waitFor();
  await page.getByText("No live calls").waitFor();
  await page.getByText("Live updates connected").waitFor();

  const { status: placedStatus, body: placed } = await server.api("POST", "/api/calls", { agentId: agent.id, to: PHONE });
  assert.equal(placedStatus, 202, `call placed: ${JSON.stringify(placed)}`);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: PHONE }) });
  await row.waitFor({ timeout: 15_000 });
  await until("the call to connect in the list", async () => (await row.innerText()).includes("Connected"), 15_000);
  assert.match(await row.innerText(), /Live Monitor Agent/);
  // The duration ticks.
  const durationOf = async () => (await row.locator("time").innerText()).trim();
  const d1 = await durationOf();
  await until("the list's duration to tick", async () => (await durationOf()) !== d1, 5_000);
  // The row shows the call's sentiment (carried by the liveCalls rows) once the first insights are in.
  await until("the row's sentiment", async () => /Positive|Neutral|Negative/.test(await row.innerText()), 15_000);
  await screenshot(page, "live-list");

  // The status filter: "ringing" hides the connected call, "connected" shows it.
  const status = page.getByLabel("Status");
  await status.selectOption("ringing");
  await page.getByText('No live calls with status "ringing".').waitFor();
  await status.selectOption("connected");
  await row.waitFor();

  // --- one call -------------------------------------------------------------
  await row.getByRole("link", { name: PHONE }).click();
  await page.waitForURL(`**/live/${placed.id}`);
  await page.getByRole("heading", { name: `Call to ${PHONE}` }).waitFor();

  const lines = page.locator("ol.live-transcript > li");
  await until("two transcript lines", async () => (await lines.count()) >= 2, 30_000);
  const n1 = await lines.count();
  await until("the transcript to grow", async () => (await lines.count()) > n1, 30_000);
  const n2 = await lines.count();
  assert.ok(n2 > n1, `transcript grew: ${n1} → ${n2}`);

  // Interim lines are greyed and italic; final lines solid and coloured by sentiment.
  const interim = page.locator("li.live-line.interim").first();
  await interim.waitFor({ timeout: 30_000 });
  const styleOf = (loc) =>
    loc.evaluate((el) => {
      const text = el.querySelector(".live-line-text");
      const cs = getComputedStyle(text);
      return { fontStyle: cs.fontStyle, color: cs.color, border: getComputedStyle(el).borderLeftColor };
    });
  const interimStyle = await styleOf(interim).catch(() => null); // it may turn final meanwhile
  const final = page.locator("li.live-line.final").first();
  const finalStyle = await styleOf(final);
  if (interimStyle) {
    assert.equal(interimStyle.fontStyle, "italic", "interim lines are italic");
    assert.notEqual(interimStyle.color, finalStyle.color, "interim lines are greyed");
  }
  assert.equal(finalStyle.fontStyle, "normal", "final lines are upright");
  const sentiments = await page.locator("li.live-line.final").evaluateAll((els) => els.map((e) => e.dataset.sentiment));
  assert.ok(sentiments.length > 0 && sentiments.every((s) => ["positive", "neutral", "negative"].includes(s)), `final lines carry a sentiment: ${sentiments}`);
  assert.match(await lines.first().innerText(), /(Agent|Caller)\s+\d+:\d\d/, "speaker and m:ss timestamp");

  // Level meters move (the levels arrive every 200 ms).
  const agentMeter = page.getByRole("meter", { name: "Agent audio level" });
  const callerMeter = page.getByRole("meter", { name: "Caller audio level" });
  const seen = new Set();
  const endSampling = Date.now() + 6_000;
  while (Date.now() < endSampling && seen.size < 4) {
    seen.add(`a${await agentMeter.getAttribute("aria-valuenow")}`);
    seen.add(`c${await callerMeter.getAttribute("aria-valuenow")}`);
    await page.waitForTimeout(150);
  }
  assert.ok(seen.size >= 4, `meters moved: ${[...seen].join(" ")}`);

  // The panels are filled from the snapshot and the insights changes.
  await page.getByRole("list", { name: "Call phases" }).locator('[aria-current="step"]').waitFor();
  assert.ok((await page.getByRole("list", { name: "Objectives" }).getByRole("listitem").count()) > 0, "objectives listed");
  await page.getByRole("img", { name: /^Sentiment (positive|neutral|negative)/ }).waitFor();
  await page.getByRole("img", { name: /^Sentiment trend/ }).waitFor({ timeout: 20_000 });
  await page.getByRole("progressbar", { name: "Conversion probability" }).waitFor();
  const system = page.getByRole("region", { name: "System" });
  assert.match(await system.innerText(), /pocketsphinx/);
  assert.match(await system.innerText(), /Latency/);
  await until("a few transcript lines", async () => (await lines.count()) >= 4, 30_000);
  await screenshot(page, "live-call");

  // The API's own per-field errors, beside the field.
  await page.getByRole("button", { name: "Send coaching" }).click();
  const coachBox = page.getByLabel("Coach the agent (whisper)");
  await until("the coaching field's error", async () => /required/.test(await coachBox.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "").split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" "))), 5_000);
  await page.getByLabel("Transfer to").fill("not a number");
  await page.getByRole("button", { name: "Transfer", exact: true }).click();
  await page.getByText("required: an E.164 number or a sip: URI").waitFor();

  // A note is recorded and listed among the supervisor actions.
  await page.getByLabel("Note", { exact: true }).fill("Caller sounds keen");
  await page.getByRole("button", { name: "Add note" }).click();
  const actionLog = page.getByRole("list", { name: "Supervisor actions" });
  await actionLog.getByText("Caller sounds keen").waitFor();

  // --- roles: a supervisor (live:control) gets the controls, a viewer only watches ---
  for (const [role, controls] of [["supervisor", 1], ["viewer", 0]]) {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const otherPage = await other.newPage();
    await server.signIn(otherPage, { role });
    await otherPage.goto(`${base}/live/${placed.id}`);
    await otherPage.getByRole("heading", { name: `Call to ${PHONE}` }).waitFor();
    await otherPage.getByRole("heading", { name: "Sentiment" }).waitFor();
    assert.equal(await otherPage.getByRole("heading", { name: "Supervisor", exact: true }).count(), controls, `${role}: the supervisor panel`);
    assert.equal(await otherPage.getByRole("button", { name: "Take over" }).count(), controls, `${role}: Take over`);
    assert.equal(await otherPage.getByRole("button", { name: "End call" }).count(), controls, `${role}: End call`);
    if (role === "viewer") await screenshot(otherPage, "live-call-viewer");
    await other.close();
  }

  // --- a refused microphone is explained (a second tab whose getUserMedia is refused) ---
  // Another tab of the same signed-in browser.
  const denied = await page.context().newPage();
  await denied.setViewportSize({ width: 1024, height: 720 });
  await denied.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
  });
  await denied.goto(`${base}/live/${placed.id}`);
  await denied.getByRole("button", { name: "Join with microphone" }).click();
  await denied.getByRole("alert").filter({ hasText: "Microphone permission was denied" }).waitFor();
  await denied.close();
  assert.equal(await actionLog.getByText("Join Call").count(), 0, "a refused microphone records no JOIN_CALL");

  // --- join with the (fake) microphone ----------------------------------------
  await page.getByRole("button", { name: "Join with microphone" }).click();
  const audioStatus = page.locator(".live-audio-status");
  const frames = await until(
    "audio frames both ways",
    async () => {
      const m = /Receiving audio · (\d+) frames in, (\d+) out/.exec(await audioStatus.innerText());
      return m && +m[1] >= 10 && +m[2] >= 10 ? [+m[1], +m[2]] : null;
    },
    15_000,
  );
  assert.ok(frames[0] >= 10 && frames[1] >= 10, `frames in/out: ${frames}`);
  await actionLog.getByText("Join Call").waitFor();
  await page.getByRole("button", { name: "Leave" }).click();
  await page.getByRole("button", { name: "Join with microphone" }).waitFor();

  // --- END_CALL, confirmed ------------------------------------------------------
  await page.getByRole("button", { name: "End call" }).click();
  const dialog = page.getByRole("dialog", { name: "End this call?" });
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "End call" }).click();
  await page.getByText("This call has ended.").waitFor({ timeout: 30_000 });
  const recordLink = page.getByRole("link", { name: "Open the call record" });
  assert.equal(await recordLink.getAttribute("href"), `/calls/${placed.id}`);
  await actionLog.getByText("End Call").waitFor();
  assert.equal(await page.getByRole("button", { name: "Send coaching" }).isDisabled(), true, "controls are off once ended");
  await screenshot(page, "live-ended");

  const record = await until(
    "the call record",
    async () => {
      const r = await server.api("GET", `/api/calls/${placed.id}`);
      return r.status === 200 && r.body.endedAt ? r.body : null;
    },
    20_000,
  );
  assert.equal(record.status, "completed");
  assert.match(record.errorMessage ?? "", /supervisor/, "ended by the supervisor, not by the conversation");

  // The list no longer shows it.
  await page.getByRole("link", { name: "Live calls" }).first().click();
  await page.getByText("No live calls").waitFor({ timeout: 10_000 });

  // The only HTTP errors are the two 422s provoked above (the per-field error checks).
  assert.equal(clientErrors.length, 2, clientErrors.join("\n"));
  for (const e of clientErrors) assert.match(e, /status of 422 .*\/api\/live-calls\/[^/]+\/actions/);
  assert.deepEqual(consoleErrors, [], "no console errors");
});
