// Teams and access in the dashboard (issue 16 §3, §4, §8): an owner invites a
// viewer (the set-password link is shown once), the viewer signs in through it
// in a fresh browser and sees no edit buttons while the API refuses their
// writes; the owner changes a role, cannot demote the last owner, removes a
// member; an API key is created from the keyboard alone, shown once, listed by
// its prefix, revoked (the API then refuses it); the audit log lists and
// filters what happened; a second workspace is created and switched to, and
// its agents stay out of Default. axe-core on /members, /keys and /audit-log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { accessibilityViolations, eventually, launchBrowser, screenshot, startServer, TEST_PASSWORD } from "./harness.mjs";

test("access: invite a viewer, their read-only dashboard, roles, API keys shown once and revoked, audit log, workspaces", { timeout: 240_000 }, async (t) => {
  const server = await startServer({ sims: false });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const base = server.url;
  const nav = page.getByRole("navigation", { name: "Main" });
  const { body: agent } = await server.api("POST", "/api/agents", { name: "Default Agent", systemPrompt: "You answer questions about open houses." });
  assert.ok(agent.id, JSON.stringify(agent));
  const { body: campaign } = await server.api("POST", "/api/campaigns", { name: "Spring open houses" });
  assert.ok(campaign.id, JSON.stringify(campaign));

  // ---- Members: invite a viewer; the set-password link is shown once ----------------------
  await nav.getByRole("link", { name: "Members" }).click();
  await page.getByRole("heading", { name: "Members", level: 1 }).waitFor();
  await page.getByRole("cell", { name: "owner@voqo.localhost (you)", exact: true }).waitFor();
  const invite = page.getByRole("form", { name: "Invite a member" });
  await invite.getByLabel("Email").fill("not-an-email");
  await invite.getByRole("button", { name: "Invite" }).click();
  await invite.getByRole("alert").first().waitFor(); // the API's message beside the field
  await invite.getByLabel("Email").fill("vic@voqo.test");
  await invite.getByLabel("Display name").fill("Vic Viewer");
  await invite.getByLabel("Role").selectOption("viewer");
  await invite.getByRole("button", { name: "Invite" }).click();
  await page.getByRole("heading", { name: "vic@voqo.test is now a viewer" }).waitFor();
  const link = await page.getByLabel("Set-password link").inputValue();
  assert.match(link, new RegExp(`^${base}/login\\?token=[\\w-]+&purpose=set_password$`));
  await page.getByRole("button", { name: "Copy" }).waitFor();
  await page.getByRole("cell", { name: "vic@voqo.test", exact: true }).waitFor();
  assert.deepEqual(await accessibilityViolations(page), [], "/members: WCAG A/AA violations");
  await screenshot(page, "access-members-invited");
  await page.reload();
  await page.getByRole("cell", { name: "vic@voqo.test", exact: true }).waitFor();
  assert.equal(await page.getByLabel("Set-password link").count(), 0, "the link is not shown again");

  // ---- The viewer, in a fresh browser, through the link -----------------------------------
  const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.after(() => viewerContext.close());
  const viewer = await viewerContext.newPage();
  const viewerErrors = [];
  viewer.on("pageerror", (e) => viewerErrors.push(e.message));
  await viewer.goto(link);
  await viewer.getByLabel("New password").fill(TEST_PASSWORD);
  await viewer.getByLabel("Repeat the password").fill(TEST_PASSWORD);
  await viewer.getByRole("button", { name: "Set password and sign in" }).click();
  await viewer.waitForURL(`${base}/agents`);
  await viewer.getByText("Signed in as vic@voqo.test").waitFor();
  await viewer.getByRole("link", { name: "Default Agent" }).waitFor();
  // No edit buttons: no "Create agent", no Edit/Delete on the agent.
  assert.equal(await viewer.getByRole("link", { name: "Create agent" }).count(), 0, "a viewer has no Create agent");
  await screenshot(viewer, "access-viewer-agents");
  await viewer.getByRole("link", { name: "Default Agent" }).click();
  await viewer.getByRole("heading", { name: "Default Agent", level: 1 }).waitFor();
  await viewer.getByRole("heading", { name: "Configuration versions" }).waitFor();
  assert.equal(await viewer.getByRole("link", { name: "Edit" }).count(), 0, "no Edit");
  assert.equal(await viewer.getByRole("button", { name: "Delete agent" }).count(), 0, "no Delete");
  // Campaigns and the do-not-call list: no create, upload, job or add forms.
  await viewer.goto(`${base}/campaigns`);
  await viewer.getByRole("link", { name: "Spring open houses" }).click();
  await viewer.getByRole("heading", { name: "Spring open houses", level: 1 }).waitFor();
  await viewer.getByRole("heading", { name: "Uploads" }).waitFor();
  for (const h of ["Upload a contact list", "Start a job"]) assert.equal(await viewer.getByRole("heading", { name: h }).count(), 0, `no "${h}"`);
  await viewer.goto(`${base}/campaigns`);
  await viewer.getByRole("link", { name: "Spring open houses" }).waitFor();
  assert.equal(await viewer.getByRole("heading", { name: "New campaign" }).count(), 0, "no New campaign");
  await viewer.goto(`${base}/do-not-call`);
  await viewer.getByRole("heading", { name: "Numbers on the list" }).waitFor();
  for (const h of ["Add a number", "Import a CSV of numbers"]) assert.equal(await viewer.getByRole("heading", { name: h }).count(), 0, `no "${h}"`);
  // Navigation: no API keys, no audit log; the members page is read-only.
  const viewerNav = viewer.getByRole("navigation", { name: "Main" });
  assert.equal(await viewerNav.getByRole("link", { name: "API keys" }).count(), 0);
  assert.equal(await viewerNav.getByRole("link", { name: "Audit log" }).count(), 0);
  await viewerNav.getByRole("link", { name: "Members" }).click();
  await viewer.getByRole("cell", { name: "vic@voqo.test (you)", exact: true }).waitFor();
  assert.equal(await viewer.getByRole("form", { name: "Invite a member" }).count(), 0, "no Invite form");
  assert.equal(await viewer.getByRole("combobox", { name: /^Role of / }).count(), 0, "no role change");
  assert.equal(await viewer.getByRole("button", { name: /^Remove / }).count(), 0, "no Remove");
  // Settings: every control disabled, no Save.
  await viewerNav.getByRole("link", { name: "Settings" }).click();
  await viewer.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
  await viewer.getByText("Read-only: your role in this workspace cannot change settings.").waitFor();
  const controls = viewer.locator("main form input, main form select, main form textarea");
  const counts = await controls.evaluateAll((els) => ({ all: els.length, enabled: els.filter((e) => !e.matches(":disabled")).length }));
  assert.ok(counts.all > 10, `settings has its controls (${counts.all})`);
  assert.equal(counts.enabled, 0, "every settings control is disabled for a viewer");
  assert.equal(await viewer.getByRole("button", { name: /^Save / }).count(), 0, "no Save button");
  await screenshot(viewer, "access-viewer-settings");
  // The API refuses the viewer's writes (their own session cookie, from their page).
  const refused = await viewer.evaluate(async () => {
    const ws = localStorage.getItem("voqo.workspace") ?? "";
    const send = async (method, path, body) => {
      const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-Workspace-Id": ws }, body: body && JSON.stringify(body) });
      return { status: r.status, body: await r.json().catch(() => null) };
    };
    return {
      agent: await send("POST", "/api/agents", { name: "Viewer Agent", systemPrompt: "x" }),
      settings: await send("PATCH", "/api/settings", { llm: { model: "x" } }),
      key: await send("POST", "/api/keys", { name: "viewer key", scopes: ["agents:read"] }),
      member: await send("POST", "/api/members", { email: "eve@voqo.test", role: "owner" }),
    };
  });
  for (const [what, r] of Object.entries(refused)) assert.equal(r.status, 403, `${what}: ${JSON.stringify(r)}`);
  assert.ok(refused.agent.body.errors.some((e) => e.field === "scope"), JSON.stringify(refused.agent.body));
  const agentsNow = await server.api("GET", "/api/agents");
  assert.deepEqual(agentsNow.body.items.map((a) => a.name), ["Default Agent"], "the viewer created nothing");
  assert.deepEqual(viewerErrors, []);

  // ---- Roles: the owner makes Vic a supervisor; the last owner cannot step down; remove ----
  await page.getByRole("combobox", { name: "Role of vic@voqo.test" }).selectOption("supervisor");
  await eventually("Vic's new role", async () => (await server.api("GET", "/api/members")).body.items.find((m) => m.email === "vic@voqo.test")?.role, "supervisor");
  await page.getByRole("combobox", { name: "Role of owner@voqo.localhost" }).selectOption("admin");
  await page.getByRole("alert").filter({ hasText: /owner/ }).waitFor();
  assert.equal(await page.getByRole("combobox", { name: "Role of owner@voqo.localhost" }).inputValue(), "owner", "still the owner");
  await screenshot(page, "access-members-last-owner");
  await page.getByRole("button", { name: "Remove vic@voqo.test" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove vic@voqo.test?" });
  await confirm.getByRole("button", { name: "Remove" }).click();
  await confirm.waitFor({ state: "hidden" });
  await eventually("Vic removed", () => page.getByRole("cell", { name: "vic@voqo.test", exact: true }).count(), 0);
  // Vic's session now belongs to no workspace of this server: a reload shows no workspace data.
  await viewer.reload();
  await viewer.getByRole("heading", { name: "No workspace yet" }).waitFor();

  // ---- API keys: created from the keyboard alone, shown once, listed by prefix, revoked -----
  await nav.getByRole("link", { name: "API keys" }).click();
  await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
  await page.getByRole("cell", { name: "e2e harness", exact: true }).waitFor(); // the harness's own key
  await page.getByLabel("Name", { exact: true }).focus();
  await page.keyboard.type("CRM sync");
  const tabTo = async (what, test) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(test)) return;
    }
    throw new Error(`the keyboard never reached ${what}`);
  };
  for (const scope of ["agents:read", "calls:read"]) {
    await tabTo(scope, new Function(`return document.activeElement?.closest("label")?.textContent.startsWith(${JSON.stringify(scope)})`));
    await page.keyboard.press("Space");
  }
  await tabTo("the rate limit", () => document.activeElement?.id && document.querySelector(`label[for="${document.activeElement.id}"]`)?.textContent.startsWith("Rate limit"));
  await page.keyboard.type("5");
  await tabTo("Create key", () => document.activeElement?.tagName === "BUTTON" && document.activeElement.textContent.trim() === "Create key");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Key “CRM sync” created" }).waitFor();
  await page.getByText("You will not see it again").waitFor();
  const key = await page.getByLabel("The new API key").inputValue();
  assert.match(key, /^ak_[0-9A-Za-z]+$/);
  assert.deepEqual(await accessibilityViolations(page), [], "/keys: WCAG A/AA violations");
  await screenshot(page, "access-key-created");
  // The key works, with the scopes chosen.
  const { body: listed } = await server.api("GET", "/api/keys");
  const made = listed.items.find((k) => k.name === "CRM sync");
  assert.deepEqual(made.scopes, ["agents:read", "calls:read"]);
  assert.equal(made.rateLimitPerSecond, 5);
  assert.ok(key.startsWith(made.prefix));
  assert.equal((await server.api("GET", "/api/agents", undefined, { key })).status, 200);
  assert.equal((await server.api("GET", "/api/settings", undefined, { key })).status, 403, "no settings:read in that key");
  // Shown once: after a reload only its prefix is listed.
  await page.reload();
  const row = page.getByRole("row").filter({ hasText: "CRM sync" });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`${made.prefix}…`));
  assert.ok(!(await page.locator("body").innerText()).includes(key), "the secret is not on the page any more");
  assert.equal(await page.getByLabel("The new API key").count(), 0);
  // Revoke, confirmed: the API refuses the key from then on.
  await row.getByRole("button", { name: "Revoke key CRM sync" }).click();
  const revokeDialog = page.getByRole("dialog", { name: "Revoke the key “CRM sync”?" });
  await revokeDialog.getByRole("button", { name: "Revoke" }).click();
  await revokeDialog.waitFor({ state: "hidden" });
  await row.getByText(/^revoked /).waitFor();
  assert.equal(await row.getByRole("button", { name: /^Revoke/ }).count(), 0);
  assert.equal((await server.api("GET", "/api/agents", undefined, { key })).status, 401, "a revoked key is refused");
  await screenshot(page, "access-keys-revoked");

  // ---- The audit log: newest first, filtered by action ----------------------------------------
  await nav.getByRole("link", { name: "Audit log" }).click();
  await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
  const table = page.getByRole("table");
  await table.getByText("DELETE /api/keys/{id}").waitFor();
  const actions = await table.locator("tbody tr td:nth-child(3)").allInnerTexts();
  assert.equal(actions[0], "DELETE /api/keys/{id}", `newest first: ${actions.slice(0, 5)}`);
  for (const a of ["POST /api/keys", "POST /api/members", "PATCH /api/members/{userId}", "DELETE /api/members/{userId}", "auth.login_link"])
    assert.ok(actions.includes(a), `${a} is in the log: ${actions}`);
  assert.deepEqual(await accessibilityViolations(page), [], "/audit-log: WCAG A/AA violations");
  await screenshot(page, "access-audit-log");
  await page.getByLabel("Action").fill("POST /api/members");
  await page.getByRole("button", { name: "Filter" }).click();
  await eventually("only invitations", async () => (await table.locator("tbody tr td:nth-child(3)").allInnerTexts()).join("|"), "POST /api/members");

  // ---- A second workspace: created, switched to, its agents its own ---------------------------
  await nav.getByRole("button", { name: "New workspace" }).click();
  await nav.getByLabel("New workspace name").fill("Second brand");
  await nav.getByRole("button", { name: "Create", exact: true }).click();
  const switcher = nav.getByLabel("Workspace", { exact: true });
  await eventually("the switcher on the new workspace", () => switcher.evaluate((s) => s.selectedOptions[0]?.textContent), "Second brand (owner)");
  await nav.getByRole("link", { name: "Agents" }).click();
  await page.getByText("No agents yet.").waitFor();
  await screenshot(page, "access-second-workspace");
  await page.getByRole("link", { name: "Create agent" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Second Brand Agent");
  for (let step = 0; step < 3; step++) await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("System prompt").fill("You book viewings for the second brand.");
  await page.getByRole("button", { name: "Create agent" }).click();
  await page.getByRole("heading", { name: "Second Brand Agent", level: 1 }).waitFor();
  // The realtime feed follows the workspace (a ticket for the new one).
  await nav.getByRole("link", { name: "Live calls" }).click();
  await page.getByText("Live updates connected").waitFor();
  // Default (the admin key's workspace) does not have it; switching back shows Default's agents only.
  const inDefault = (await server.api("GET", "/api/agents")).body.items.map((a) => a.name);
  assert.deepEqual(inDefault, ["Default Agent"]);
  await switcher.selectOption({ label: "Default (owner)" });
  await nav.getByRole("link", { name: "Agents" }).click();
  await page.getByRole("link", { name: "Default Agent" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Second Brand Agent" }).count(), 0);
  // The choice survives a reload (localStorage), and the new workspace is in the list with its role.
  await switcher.selectOption({ label: "Second brand (owner)" });
  await page.getByText("No agents yet.").waitFor({ state: "detached" }).catch(() => {});
  await page.reload();
  await page.getByRole("link", { name: "Second Brand Agent" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Default Agent" }).count(), 0);

  assert.deepEqual(consoleErrors, []);
  // Refused on purpose: the invalid email (422) and the last owner's demotion (409).
  assert.deepEqual(clientErrors.map((e) => e.match(/status of (\d+)/)[1]).sort(), ["409", "422"], clientErrors.join("\n"));
});
