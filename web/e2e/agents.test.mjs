// Agents in a real browser against a real `voqo serve`: the four-step wizard
// (client-side checks, the API's own per-field messages, jump to the step of
// a rejected field), the voice preview, the list, editing (configuration
// version 2) and rolling back to version 1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describedText, eventually, launchBrowser, screenshot, startServer } from "./harness.mjs";


/** The wizard's current step, from the step indicator. */
async function currentStep(page) {
  return page.locator('nav[aria-label="Wizard steps"] [aria-current="step"]').innerText();
}

test("agents: wizard with API-rejected fields, preview, list, edit → v2, roll back → v1", async (t) => {
  const server = await startServer({ sims: false });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  // An agent that already holds the name the wizard will first try.
  const taken = await server.api("POST", "/api/agents", { name: "Taken Name", systemPrompt: "You are already here." });
  assert.equal(taken.status, 201, JSON.stringify(taken.body));

  // What the API itself says about a non-http webhook URL (the client only checks it looks like a URL):
  // the wizard must show exactly this message beside the field.
  const probe = await server.api("POST", "/api/agents", { name: "Probe", systemPrompt: "Probe prompt text.", webhookUrl: "ftp://example.com/hook" });
  assert.equal(probe.status, 422);
  const apiMessage = probe.body.errors.find((e) => e.field === "webhookUrl").message;

  // ---- list → wizard step 1
  await page.goto(`${base}/agents`);
  await page.getByRole("heading", { name: "Agents", level: 1 }).waitFor();
  await page.getByRole("link", { name: "Taken Name" }).waitFor();
  await page.getByRole("link", { name: "Create agent" }).click();
  await page.waitForURL(/\/agents\/new$/);
  assert.match(await currentStep(page), /Basics and purpose/);

  // Next with an empty name: the client-side rule stops it.
  await page.getByRole("button", { name: "Next" }).click();
  const name = page.getByLabel("Name", { exact: true });
  assert.match(await describedText(name), /is required/);
  assert.match(await currentStep(page), /Basics and purpose/);

  await name.fill("Taken Name");
  await page.getByLabel("Description").fill("Calls back people who asked for a quote.");
  await page.getByLabel("Purpose", { exact: true }).selectOption("custom");
  await page.getByLabel("Custom purpose").fill("Follow up on quote requests");
  await page.getByLabel("Template").selectOption("custom");
  await screenshot(page, "agents-wizard-1-basics");
  await page.getByRole("button", { name: "Next" }).click();

  // ---- step 2: voice, with the preview
  assert.match(await currentStep(page), /Voice/);
  // A voice the TTS engine does not know: the preview's 422 message appears beside the Voice field.
  await page.getByLabel("Voice provider").selectOption("espeak-ng");
  const voice = page.getByLabel("Voice", { exact: true });
  await voice.fill("zz");
  await page.getByRole("button", { name: "Preview voice" }).click();
  await page.locator(".field-error", { hasText: "unknown espeak-ng voice 'zz'" }).waitFor();
  assert.match(await describedText(voice), /unknown espeak-ng voice 'zz'/);
  await page.getByLabel("Voice provider").selectOption("flite");
  await page.getByLabel("Voice", { exact: true }).selectOption("rms");
  await page.getByLabel("Style").selectOption("friendly");
  await page.getByLabel("Speech rate").fill("1.1");
  const [previewRes] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/tts/preview")),
    page.getByRole("button", { name: "Preview voice" }).click(),
  ]);
  assert.equal(previewRes.status(), 200, "POST /api/tts/preview answers 200");
  assert.match(previewRes.headers()["content-type"] ?? "", /^audio\/wav/);
  const player = page.getByLabel("Voice preview");
  await player.waitFor();
  assert.match((await player.getAttribute("src")) ?? "", /^blob:/);
  await screenshot(page, "agents-wizard-2-voice");
  await page.getByRole("button", { name: "Next" }).click();

  // ---- step 3: behaviour; a value out of range is caught before the API
  assert.match(await currentStep(page), /Behaviour/);
  const silence = page.getByLabel("Silence threshold (ms)");
  await silence.fill("100");
  await page.getByRole("button", { name: "Next" }).click();
  await eventually("the range message", () => describedText(silence), /must be between 500 and 5000/);
  await silence.fill("800");
  await page.getByLabel("Greeting message").fill("Hello from version one");
  // Greet on answer, ticked from the keyboard; its hint says why (the 2 s abandon rule).
  const greetOnAnswer = page.getByLabel("Greet as soon as the call is answered");
  assert.equal(await greetOnAnswer.isChecked(), false);
  await greetOnAnswer.focus();
  await page.keyboard.press("Space");
  assert.equal(await greetOnAnswer.isChecked(), true);
  assert.match(await describedText(greetOnAnswer), /abandoned call/);
  await page.getByLabel("Max call duration (min)").fill("15");
  await screenshot(page, "agents-wizard-3-behaviour");
  await page.getByRole("button", { name: "Next" }).click();

  // ---- step 4: advanced, with a webhook URL only the API rejects, and one custom function
  assert.match(await currentStep(page), /Advanced/);
  await page.getByLabel("System prompt").fill("You follow up on quote requests politely and briefly.");
  await page.getByLabel("Temperature").fill("0.5");
  const webhook = page.getByLabel("Webhook URL");
  await webhook.fill("ftp://example.com/hook");
  await page.getByRole("button", { name: "Add function" }).click();
  const fn = page.getByRole("group", { name: /^Function 1/ });
  await fn.getByLabel("Function name").fill("lookup_quote");
  await fn.getByLabel("Function description").fill("Looks up a quote by its number.");
  await fn.getByLabel("Endpoint URL").fill("https://quotes.example.com/lookup");
  await fn.getByLabel("Method").selectOption("GET");
  await screenshot(page, "agents-wizard-4-advanced");

  // Submit: the API's 422 message appears beside the webhook URL.
  const [rejected] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/agents") && r.request().method() === "POST"),
    page.getByRole("button", { name: "Create agent" }).click(),
  ]);
  assert.equal(rejected.status(), 422);
  await page.locator(".field-error", { hasText: apiMessage }).waitFor();
  assert.match(await describedText(webhook), new RegExp(apiMessage));
  assert.match(await currentStep(page), /Advanced/);
  await screenshot(page, "agents-wizard-rejected-field");

  // Fix it; now the name conflict (409, field "name") sends the wizard back to step 1.
  await webhook.fill("https://hooks.example.com/voqo");
  // The message goes once the field is edited.
  await eventually("the API message gone", async () => new RegExp(apiMessage).test(await describedText(webhook)), false);
  await page.getByRole("button", { name: "Create agent" }).click();
  await page.waitForFunction(() => /Basics and purpose/.test(document.querySelector('[aria-current="step"]')?.textContent ?? ""));
  assert.match(await describedText(name), /already exists/);
  await name.fill("Quote Follow-up");
  for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create agent" }).click();

  // ---- detail page: version 1 active, the function listed
  await page.waitForURL((u) => /\/agents\/[a-z0-9]+$/.test(u.pathname) && !u.pathname.endsWith("/new"));
  const agentId = page.url().split("/").pop();
  await page.getByRole("heading", { name: "Quote Follow-up", level: 1 }).waitFor();
  const versions = page.getByRole("table", { name: "Configuration versions" });
  await versions.getByRole("row", { name: /v1/ }).getByText("Active").waitFor();
  await page.getByRole("table", { name: "Custom functions" }).getByText("lookup_quote").waitFor();
  const stored = (await server.api("GET", `/api/agents/${agentId}`)).body;
  assert.equal(stored.webhookUrl, "https://hooks.example.com/voqo");
  assert.equal(stored.voiceId, "rms");
  assert.equal(stored.silenceThresholdMs, 800);
  assert.equal(stored.greetOnAnswer, true);
  assert.equal(stored.customPurpose, "Follow up on quote requests");
  await screenshot(page, "agents-detail");

  // ---- list
  await page.getByRole("link", { name: "← All agents" }).click();
  const row = page.getByRole("row", { name: /Quote Follow-up/ });
  await row.waitFor();
  await row.getByText("v1").waitFor();
  await screenshot(page, "agents-list");

  // ---- edit: a new greeting makes version 2
  await row.getByRole("link", { name: "Quote Follow-up" }).click();
  await page.getByRole("link", { name: "Edit" }).click();
  await page.waitForURL(/\/edit$/);
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Quote Follow-up");
  await page.getByRole("button", { name: /Behaviour/ }).click();
  const greeting = page.getByLabel("Greeting message");
  assert.equal(await greeting.inputValue(), "Hello from version one");
  await greeting.fill("Hello from version two");
  await page.getByRole("button", { name: "Next" }).click();
  // …and the custom function goes (DELETE after the PATCH).
  await page.getByRole("button", { name: "Remove function 1" }).click();
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.waitForURL(new RegExp(`/agents/${agentId}$`));
  await versions.getByRole("row", { name: /v2/ }).getByText("Active").waitFor();
  await versions.getByText("Greeting message: Hello from version one → Hello from version two").waitFor();
  const greetingShown = page.locator('dd[data-field="greetingMessage"]');
  assert.equal(await greetingShown.innerText(), "Hello from version two");
  await page.getByText("No custom functions.").waitFor();

  // ---- roll back to version 1 (confirm first)
  await versions.getByRole("button", { name: "Roll back to version 1" }).click();
  await screenshot(page, "agents-detail-rollback-confirm");
  await versions.getByRole("button", { name: "Roll back", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Rolled back to version 1" }).waitFor();
  await versions.getByRole("row", { name: /v1/ }).getByText("Active").waitFor();
  assert.equal(await versions.getByRole("row", { name: /v2/ }).getByText("Active").count(), 0);
  assert.equal(await greetingShown.innerText(), "Hello from version one");
  const after = (await server.api("GET", `/api/agents/${agentId}`)).body;
  assert.equal(after.greetingMessage, "Hello from version one");
  await screenshot(page, "agents-detail-rolled-back");

  // The only failed requests are the three the test provoked (422 preview voice, 422 webhook URL, 409 name).
  assert.deepEqual(clientErrors.map((e) => e.match(/status of (\d+)/)[1]), ["422", "422", "409"]);
  assert.deepEqual(consoleErrors, []);
});
