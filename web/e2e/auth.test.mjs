// A server started with --api-key: the dashboard asks for the key once (on
// the first 401), keeps it in the browser, then every REST call sends it as a
// Bearer token and the realtime WebSocket as ?apiKey= — the live calls page
// connects. A wrong key keeps the prompt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, screenshot, startServer } from "./harness.mjs";

test("auth: the API-key prompt, then REST and realtime with the key", { timeout: 120_000 }, async (t) => {
  const server = await startServer({ sims: false, apiKey: "s3cret-key" });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.api("POST", "/api/agents", { name: "Guarded Agent", systemPrompt: "You only talk to authorised people." });

  await page.goto(`${server.url}/agents`);
  const prompt = page.getByRole("heading", { name: "API key required" });
  await prompt.waitFor();
  await page.getByLabel("API key").fill("wrong-key");
  await page.getByRole("button", { name: "Save" }).click();
  await prompt.waitFor(); // asked again: the wrong key is refused, and the prompt says so
  await page.getByRole("alert").filter({ hasText: "refused the key" }).waitFor();
  await screenshot(page, "auth-prompt");
  await page.getByLabel("API key").fill("s3cret-key");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("link", { name: "Guarded Agent" }).waitFor();
  assert.equal(await prompt.count(), 0);

  // The realtime socket authenticates with ?apiKey= (browsers cannot set headers on a WebSocket).
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Live calls" }).click();
  await page.getByText("Live updates connected").waitFor();
  await page.getByText("No live calls").waitFor();

  assert.ok(clientErrors.every((e) => /status of 401/.test(e)), `only the 401s before the key: ${clientErrors}`);
  assert.ok(clientErrors.length > 0);
  assert.deepEqual(consoleErrors, []);
});
