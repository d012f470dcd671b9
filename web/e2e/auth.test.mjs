// Signing in to the dashboard (issue 16 §3): a page opened without a session
// goes to /login and comes back after sign-in; the one-time link `voqo serve`
// prints signs in at once and works once; an invitation's set-password link
// asks for a password twice (errors beside the fields), then signs in; email
// and password sign-in from the keyboard alone (Tab/Enter), a wrong password
// refused beside the form; the realtime socket opens with a ticket, never a
// credential in its URL; signing out ends the session, and a session that
// ends under an open dashboard sends it back to /login. axe-core on /login.
import { test } from "node:test";
import assert from "node:assert/strict";
import { accessibilityViolations, describedText, launchBrowser, screenshot, startServer, TEST_PASSWORD } from "./harness.mjs";

test("auth: one-time link, set-password link, keyboard password sign-in, return path, ticketed realtime, sign-out", { timeout: 180_000 }, async (t) => {
  const server = await startServer({ sims: false });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  const base = server.url;
  await server.api("POST", "/api/agents", { name: "Guarded Agent", systemPrompt: "You only talk to authorised people." });

  // Without a session: /campaigns sends the browser to /login, keeping the path.
  await page.goto(`${base}/campaigns`);
  await page.waitForURL(`${base}/login?next=%2Fcampaigns`);
  await page.getByRole("heading", { name: "Sign in to voqo", level: 1 }).waitFor();
  assert.deepEqual(await accessibilityViolations(page), [], "/login: WCAG A/AA violations");
  await screenshot(page, "auth-login");
  assert.equal(await page.getByRole("navigation", { name: "Main" }).count(), 0, "no navigation before sign-in");

  // The one-time link signs in at once and lands on the agents.
  const websockets = [];
  page.on("websocket", (ws) => websockets.push(ws.url()));
  await page.goto(server.signInLink);
  await page.waitForURL(`${base}/agents`);
  await page.getByRole("link", { name: "Guarded Agent" }).waitFor();
  await page.getByText("Signed in as owner@voqo.localhost").waitFor();

  // It works once: a second browser that follows it is told so, and offered the password form.
  const other = await browser.newContext();
  t.after(() => other.close());
  const otherPage = await other.newPage();
  await otherPage.goto(server.signInLink);
  await otherPage.getByRole("alert").filter({ hasText: "already used or has expired" }).waitFor();
  await otherPage.getByLabel("Email").waitFor();

  // The realtime socket authenticates with a ticket (POST /api/tickets), not a key or a cookie alone.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Live calls" }).click();
  await page.getByText("Live updates connected").waitFor();
  const rt = websockets.find((u) => u.includes("/api/realtime"));
  assert.match(rt ?? "", /\/api\/realtime\?ticket=[\w.~-]+/, `the realtime URL: ${rt}`);
  assert.doesNotMatch(rt, /apiKey|ak_/);

  // An invited admin's set-password link: the two passwords must match and be long enough, beside the fields.
  const invited = await server.createUser({ email: "pat@voqo.test", role: "admin" });
  assert.ok(invited.setPassword, "a new user gets a set-password link");
  await otherPage.goto(invited.link);
  await otherPage.getByRole("heading", { name: "Choose your password" }).waitFor();
  assert.deepEqual(await accessibilityViolations(otherPage), [], "/login (set password): WCAG A/AA violations");
  await otherPage.getByLabel("New password").fill("short");
  await otherPage.getByLabel("Repeat the password").fill("shorter");
  await otherPage.getByRole("button", { name: "Set password and sign in" }).click();
  await otherPage.getByRole("alert").filter({ hasText: "the two passwords differ" }).waitFor();
  assert.match(await describedText(otherPage.getByLabel("New password")), /at least 10 characters/, "beside the password");
  assert.match(await describedText(otherPage.getByLabel("Repeat the password")), /the two passwords differ/, "beside the repeat");
  await screenshot(otherPage, "auth-set-password-errors");
  await otherPage.getByLabel("New password").fill(TEST_PASSWORD);
  await otherPage.getByLabel("Repeat the password").fill(TEST_PASSWORD);
  await otherPage.getByRole("button", { name: "Set password and sign in" }).click();
  await otherPage.waitForURL(`${base}/agents`);
  await otherPage.getByText("Signed in as pat@voqo.test").waitFor();

  // Sign out: back to /login; the dashboard then asks again.
  await otherPage.getByRole("button", { name: "Sign out" }).click();
  await otherPage.waitForURL(/\/login$/);
  await otherPage.goto(`${base}/calls`);
  await otherPage.waitForURL(`${base}/login?next=%2Fcalls`);

  // Email and password from the keyboard alone: a wrong password first (refused, the form stays), then the right one.
  await otherPage.getByRole("heading", { name: "Sign in to voqo" }).waitFor();
  const typeField = async (text) => {
    await otherPage.keyboard.press("Tab");
    await otherPage.keyboard.type(text);
  };
  await otherPage.locator("body").focus();
  await typeField("pat@voqo.test");
  assert.equal(await otherPage.evaluate(() => document.activeElement?.getAttribute("type")), "email", "the first Tab reaches Email");
  await typeField("not the password");
  await otherPage.keyboard.press("Enter");
  await otherPage.getByRole("alert").filter({ hasText: "wrong email or password" }).waitFor();
  await screenshot(otherPage, "auth-login-refused");
  await otherPage.getByLabel("Password").fill("");
  await otherPage.getByLabel("Password").focus();
  await otherPage.keyboard.type(TEST_PASSWORD);
  await otherPage.keyboard.press("Enter");
  await otherPage.waitForURL(`${base}/calls`); // back where the browser was sent from
  await otherPage.getByRole("heading", { name: "Calls", level: 1 }).waitFor();

  // The first browser's session is its own: still signed in.
  await page.reload();
  await page.getByText("Live updates connected").waitFor();

  // A session that ends under an open dashboard (here: the cookie is gone) sends it to /login on the next request, keeping the path.
  await page.context().clearCookies();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
  await page.waitForURL(`${base}/login?next=%2Fcontacts`);
  await page.getByRole("heading", { name: "Sign in to voqo" }).waitFor();

  assert.deepEqual(consoleErrors, []);
  // The 401s: /api/me before sign-in (which sent the page to /login); nothing else refused.
  assert.ok(clientErrors.every((e) => /status of 401/.test(e)), clientErrors.join("\n"));
});
