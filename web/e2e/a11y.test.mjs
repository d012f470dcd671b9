// Accessibility and layout of every screen (issue 6 §6), with data in them:
// axe-core's WCAG 2.1 A/AA rules (labels, names, roles, contrast, …) report
// nothing; the page never scrolls sideways at a laptop's 1280×720 nor at
// 1024×768; the keyboard reaches the skip link and the navigation, and the
// create-agent wizard can be driven from the keyboard alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { accessibilityViolations, launchBrowser, screenshot, startServer } from "./harness.mjs";

test("a11y: axe finds no WCAG A/AA violation on any screen; no sideways scrolling; keyboard", { timeout: 300_000 }, async (t) => {
  const server = await startServer({ sims: true, simRules: { default: "interested" } });
  t.after(() => server.stop());
  const { browser, page, consoleErrors } = await launchBrowser({ viewport: { width: 1280, height: 720 } });
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;

  // The check can fail: a control without a label is reported.
  await page.goto(`${base}/agents`);
  await page.getByRole("heading", { name: "Agents", level: 1 }).waitFor();
  await page.evaluate(() => document.querySelector("main").insertAdjacentHTML("beforeend", '<input id="unlabelled">'));
  assert.ok((await accessibilityViolations(page)).some((v) => v.startsWith("label:")), "axe reports an unlabelled input");

  // Data for every screen: an agent, a campaign with an upload and a job, a live call that then ends.
  const agent = (await server.api("POST", "/api/agents", { name: "A11y Agent", systemPrompt: "You are a property agent.", template: "property_sales" })).body;
  const campaign = (await server.api("POST", "/api/campaigns", { name: "Accessible campaign" })).body;
  const up = await fetch(`${base}/api/campaigns/${campaign.id}/uploads?filename=few.csv`, {
    method: "POST", headers: { "Content-Type": "text/csv", Authorization: `Bearer ${server.apiKey}` }, body: "name,phone\nAda,+12125550100\nBad,12\n",
  });
  const upload = await up.json();
  const call = (await server.api("POST", "/api/calls", { agentId: agent.id, to: "+12125550100" })).body;
  await server.waitFor(async () => (await server.api("GET", `/api/live-calls/${call.id}/transcript`)).body?.items?.length >= 2, 60_000, "a transcript");

  const screens = [
    ["agents", "/agents"], ["agent-wizard", "/agents/new"], ["instruction-templates", "/instruction-templates"], ["agent", `/agents/${agent.id}`], ["campaigns", "/campaigns"],
    ["campaign", `/campaigns/${campaign.id}`], ["live-calls", "/live"], ["live-call", `/live/${call.id}`], ["contacts", "/contacts"],
    ["settings", "/settings"], ["do-not-call", "/do-not-call"], ["deliveries", "/deliveries"],
  ];
  const check = async (name, path) => {
    await page.goto(`${base}${path}`);
    await page.locator("main h1").first().waitFor();
    await page.waitForLoadState("networkidle").catch(() => {});
    await page.waitForTimeout(500);
    for (const size of [{ width: 1280, height: 720 }, { width: 1024, height: 768 }]) {
      await page.setViewportSize(size);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${size.width}px scrolls sideways by ${overflow}px`);
    }
    await page.setViewportSize({ width: 1280, height: 720 });
    assert.deepEqual(await accessibilityViolations(page), [], `${name}: WCAG A/AA violations`);
  };
  for (const [name, path] of screens) await check(name, path);

  // The call ends; its record and the calls list.
  await server.api("POST", `/api/live-calls/${call.id}/actions`, { action: "END_CALL" });
  await server.waitFor(async () => (await server.api("GET", `/api/calls/${call.id}`)).status === 200, 60_000, "the call record");
  for (const [name, path] of [["calls", "/calls"], ["call", `/calls/${call.id}`], ["contact", "/contacts"]]) await check(name, path);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(`${base}/calls/${call.id}`);
  await page.locator("main h1").first().waitFor();
  await screenshot(page, "a11y-call-at-1024");
  await page.setViewportSize({ width: 1280, height: 720 });
  // The job's overview, once a job exists.
  const job = await server.api("POST", "/api/jobs", { campaignId: campaign.id, uploadId: upload.uploadId, agentId: agent.id, maxConcurrent: 1, callsPerSecond: 1 });
  assert.equal(job.status, 201, JSON.stringify(job.body));
  await check("job", `/jobs/${job.body.id}`);
  await server.api("POST", `/api/jobs/${job.body.id}/cancel`);

  // Keyboard: the first Tab reaches the skip link, which moves focus to the content; the navigation follows.
  await page.goto(`${base}/agents`);
  await page.getByRole("heading", { name: "Agents", level: 1 }).waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await page.keyboard.press("Tab");
  const navOrder = [];
  for (let i = 0; i < 10; i++) {
    navOrder.push(await page.evaluate(() => document.activeElement?.textContent));
    await page.keyboard.press("Tab");
  }
  assert.deepEqual(navOrder, ["Home", "Agents", "Templates", "Campaigns", "Live calls", "Calls", "Contacts", "Do not call", "SMS & webhooks", "Settings"]);

  // The wizard from the keyboard alone: type the name, Tab to "Next" and press Enter, through to "Create agent".
  await page.goto(`${base}/agents/new`);
  await page.getByLabel("Name", { exact: true }).focus();
  await page.keyboard.type("Keyboard Agent");
  const pressButton = async (name) => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => (document.activeElement?.tagName === "BUTTON" ? document.activeElement.textContent.trim() : ""));
      if (focused === name) return page.keyboard.press("Enter");
    }
    throw new Error(`the keyboard never reached "${name}"`);
  };
  for (let step = 0; step < 3; step++) await pressButton("Next");
  await page.getByLabel("System prompt").focus();
  await page.keyboard.type("You answer questions about open houses.");
  await pressButton("Create agent");
  await page.getByRole("heading", { name: "Keyboard Agent", level: 1 }).waitFor();

  assert.deepEqual(consoleErrors, []);
});
