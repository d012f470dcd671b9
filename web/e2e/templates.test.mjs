// Instruction templates in a real browser against a real `voqo serve`
// (issue 19 §2): the shipped system templates are listed read-only; a
// template using an undeclared variable is refused by the server with the
// message beside "Instructions" and nothing stored; declared, it is saved
// (public, ticked from the keyboard), edited, filtered and deleted; an agent
// can take it; axe-core passes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { accessibilityViolations, describedText, eventually, launchBrowser, screenshot, startServer } from "./harness.mjs";

test("instruction templates: system rows read-only, unknown variable refused beside the field, create, edit, filter, delete", async (t) => {
  const server = await startServer({ sims: false });
  t.after(() => server.stop());
  const { browser, page, consoleErrors, clientErrors } = await launchBrowser();
  t.after(() => browser.close());
  await server.signIn(page);
  const named = async (name) =>
    (await server.api("GET", "/api/instruction-templates?limit=100")).body.items.filter((x) => x.name === name);

  await page.goto(`${server.url}/instruction-templates`);
  await page.getByRole("heading", { name: "Instruction templates", level: 1 }).waitFor();
  const table = page.getByRole("table", { name: "Instruction templates" });
  for (const system of ["Appointment setter", "Customer survey", "Support follow-up"]) {
    const row = table.getByRole("row", { name: new RegExp(system) });
    await row.waitFor();
    await row.getByText("System").waitFor();
    assert.equal(await row.getByRole("button", { name: `Edit ${system}` }).count(), 0, `${system} is read-only`);
  }
  assert.deepEqual(await accessibilityViolations(page), [], "the templates page: WCAG A/AA violations");
  await screenshot(page, "templates-list");

  // An undeclared custom variable: the server's 422 is shown beside Instructions; nothing is stored.
  const name = page.getByLabel("Name", { exact: true });
  const content = page.getByLabel("Instructions");
  await name.fill("Renewal reminder");
  await content.fill("Remind {{contact.first_name}} about {{vars.offer}} for {{lead.company}}.");
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/instruction-templates") && r.request().method() === "POST"),
    page.getByRole("button", { name: "Save" }).click(),
  ]);
  assert.equal(refused.status(), 422);
  await eventually("the message beside Instructions", () => describedText(content), /offer/);
  assert.equal((await named("Renewal reminder")).length, 0, "a refused template is not stored");
  await screenshot(page, "templates-refused-variable");

  // Declared, public (from the keyboard): saved and listed.
  await page.getByLabel("Declared variables (JSON)").fill('[{"name": "offer", "type": "string", "default": "a free check-up"}]');
  const isPublic = page.getByLabel(/Public: every workspace/);
  await isPublic.focus();
  await page.keyboard.press("Space");
  assert.equal(await isPublic.isChecked(), true);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Renewal reminder was saved.").waitFor();
  const row = table.getByRole("row", { name: /Renewal reminder/ });
  await row.getByText("Public").waitFor();
  const [stored] = await named("Renewal reminder");
  assert.ok(stored, "the template is stored");
  assert.equal(stored.isPublic, true);
  assert.deepEqual(stored.variables.map((v) => [v.name, v.type, v.default]), [["offer", "string", "a free check-up"]]);

  // An agent may take it: its system prompt comes from the template.
  const agent = await server.api("POST", "/api/agents", { name: "Renewals", systemPrompt: "Fallback instructions.", instructionTemplateId: stored.id });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));
  assert.equal(agent.body.instructionTemplateId, stored.id);

  // Edit: the form opens with the row's values; a new category is saved.
  await row.getByRole("button", { name: "Edit Renewal reminder" }).click();
  await page.getByRole("heading", { name: "Edit Renewal reminder" }).waitFor();
  assert.equal(await content.inputValue(), stored.content);
  await page.getByLabel("Category").fill("renewals");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Renewal reminder was saved.").waitFor();
  await eventually("the new category", async () => (await named("Renewal reminder"))[0]?.category, "renewals");
  await row.getByText("renewals").waitFor();

  // Filter: the system templates alone.
  await page.getByLabel("Show").selectOption("system");
  await eventually("three system rows", async () => table.getByRole("row").count(), 4); // header + 3
  assert.equal(await table.getByRole("row", { name: /Renewal reminder/ }).count(), 0);
  await page.getByLabel("Show").selectOption("own");
  await table.getByRole("row", { name: /Renewal reminder/ }).waitFor();

  // Delete: gone from the list and from the API.
  await table.getByRole("button", { name: "Delete Renewal reminder" }).click();
  await page.getByText("Renewal reminder was deleted.").waitFor();
  assert.equal((await server.api("GET", `/api/instruction-templates/${stored.id}`)).status, 404);
  assert.equal(await table.getByRole("row", { name: /Renewal reminder/ }).count(), 0);
  assert.deepEqual(await accessibilityViolations(page), [], "after the edits: WCAG A/AA violations");

  assert.deepEqual(clientErrors.map((e) => e.match(/status of (\d+)/)[1]), ["422"]);
  assert.deepEqual(consoleErrors, []);
});
