// Test harness for the dashboard's end-to-end tests (issue 6): a real
// `voqo serve` (optionally with `voqo callee-sim` as its SIP trunk) on free
// loopback ports over a fresh database, and Debian's Chromium driven by
// playwright-core (no browser download). Screenshots go to web/e2e-artifacts/.
// Access (issue 16): before serve starts, `voqo key create` makes an admin key
// of the Default workspace that api() sends; serve prints a one-time sign-in
// link for the Default workspace's owner, which signIn(page) follows (later
// calls sign in as new users made with `voqo user create`).
//
//   const srv = await startServer({ sims: true });
//   const { browser, page, consoleErrors } = await launchBrowser();
//   await srv.signIn(page);
//   await page.goto(srv.url + "/agents");
//   await screenshot(page, "agents-list");
//   ... assert.deepEqual(consoleErrors, []);
//   await browser.close(); await srv.stop();
//
// Environment: VOQO_BIN (default ../build/voqo), VOQO_WEB_ROOT (default web/dist),
// CHROMIUM (default /usr/bin/chromium).
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const webDir = path.resolve(here, "..");
export const artifactsDir = path.join(webDir, "e2e-artifacts");
export const fixturesDir = process.env.VOQO_FIXTURES ?? path.resolve(webDir, "..", "..", "shared", "fixtures");
const voqoBin = process.env.VOQO_BIN ?? path.resolve(webDir, "..", "build", "voqo");
const webRoot = process.env.VOQO_WEB_ROOT ?? path.join(webDir, "dist");

/** A free UDP port on loopback (bind to 0, read, close). */
function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.on("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A port free for both TCP and UDP (SIP listens on both). */
async function freeSipPort() {
  for (let i = 0; i < 20; i++) {
    const port = await freeUdpPort();
    const ok = await new Promise((resolve) => {
      const t = createServer();
      t.once("error", () => resolve(false));
      t.listen(port, "127.0.0.1", () => t.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error("no free SIP port");
}

/** Runs `voqo args` to completion; resolves with its stdout (rejects with its stderr on failure). */
export function runVoqo(args, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    execFile(voqoBin, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`voqo ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The password signIn() gives the users it creates (10–256 bytes). */
export const TEST_PASSWORD = "correct horse battery staple";

/** Starts `cmd args`, resolving when a stdout/stderr line matches `ready` (its match) or rejecting on exit/timeout. */
function startProcess(name, args, ready, logFile, timeoutMs = 60000) {
  const child = spawn(voqoBin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const lines = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${log.slice(-3000)}`)), timeoutMs);
    let done = false;
    const onData = (chunk) => {
      const text = chunk.toString();
      log += text;
      writeFileSync(logFile, log);
      if (done) return;
      lines.push(...text.split("\n"));
      for (const line of lines.splice(0)) {
        const m = line.match(ready);
        if (m) {
          done = true;
          clearTimeout(timer);
          resolve({ child, match: m, log: () => log });
          return;
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code, signal) => {
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${log.slice(-3000)}`));
      }
    });
  });
}

function stopProcess(child, timeoutMs = 15000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts a real voqo server. Options: sims (start a callee-sim as the trunk),
 * simRules (a PersonaRules object for the sim, default: the last-digit rule),
 * ringTimeout (s, default 8).
 * Returns {url, port, dir, db, apiKey, signInLink, api(method, path, body?, {key}) → {status, body, headers},
 * signIn(page, {email, role, workspace}), createUser(...), waitFor(fn, ms), stop()}.
 */
export async function startServer({ sims = false, simRules = null, ringTimeout = 8 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "voqo-e2e-"));
  const db = path.join(dir, "voqo.db");
  // An admin key of the Default workspace for the tests' own API calls (made before serve opens the database).
  const apiKey = (await runVoqo(["key", "create", "--db", db, "--workspace", "Default", "--scopes", "admin", "--name", "e2e harness"])).trim();
  if (!/^ak_\w+$/.test(apiKey)) throw new Error(`voqo key create printed ${JSON.stringify(apiKey)}, not a key`);
  const procs = [];
  const sipPort = await freeSipPort();
  let trunk = [];
  if (sims) {
    const simPort = await freeSipPort();
    const simArgs = ["callee-sim", "--sip-port", String(simPort), "--log-level", "info"];
    if (simRules) {
      writeFileSync(path.join(dir, "sim-rules.json"), JSON.stringify(simRules));
      simArgs.push("--config", path.join(dir, "sim-rules.json"));
    }
    // The sim synthesises every persona's lines before it listens.
    const sim = await startProcess("callee-sim", simArgs, /callee-sim listening on/, path.join(dir, "callee-sim.log"));
    procs.push(sim.child);
    trunk = ["--trunk", `sip:127.0.0.1:${simPort}`];
  }
  const args = ["serve", "--db", db, "--port", "0", "--sip-ip", "127.0.0.1", "--sip-port", String(sipPort),
    "--web-root", webRoot, "--ring-timeout", String(ringTimeout), ...trunk];
  const srv = await startProcess("voqo serve", args, /voqo listening on http:\/\/[^:]+:(\d+)/, path.join(dir, "serve.log"));
  procs.push(srv.child);
  const port = Number(srv.match[1]);
  const url = `http://127.0.0.1:${port}`;
  // The one-time sign-in link serve prints on the lines after "listening".
  let signInLink = null;
  for (let i = 0; i < 100 && !signInLink; i++) {
    const m = srv.log().match(/^Sign in \(one use, 15 minutes\):\n(http:\/\/\S+\/login\?token=\S+)$/m);
    if (m) signInLink = m[1];
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!signInLink) {
    for (const p of procs.reverse()) await stopProcess(p);
    throw new Error(`voqo serve printed no sign-in link:\n${srv.log().slice(-3000)}`);
  }
  let serveLinkUsed = false;
  let users = 0;

  /** Calls the API with the admin key (or `key`: another key, "" for none). */
  async function api(method, p, body, { key = apiKey, headers: extra = {} } = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers.Authorization = `Bearer ${key}`;
    const res = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  // Tests run at any hour: let every callee be dialed whatever their local time (the rule itself is tested in C++).
  const hours = await api("PUT", "/api/settings/callee_local_hours", { value: { start: "00:00", end: "24:00" } });
  if (hours.status !== 200) throw new Error(`cannot set callee_local_hours: ${JSON.stringify(hours.body)}`);

  /**
   * Makes a user with `voqo user create` (a member of `workspace` with `role`)
   * and returns {email, link, setPassword}: the link is a set-password link for
   * a new user, a sign-in link for one who has a password.
   */
  async function createUser({ email = `e2e-user-${++users}@voqo.test`, role = "owner", workspace = "Default" } = {}) {
    const out = await runVoqo(["user", "create", "--db", db, "--email", email, "--workspace", workspace, "--role", role, "--url", url]);
    const link = out.match(/^(http:\/\/\S+\/login\?token=\S+)$/m)?.[1];
    if (!link) throw new Error(`voqo user create printed no link:\n${out}`);
    return { email, link, setPassword: link.includes("purpose=set_password") };
  }

  /**
   * Signs `page` in. The first call (no options) follows serve's one-time link
   * (the Default workspace's owner, owner@voqo.localhost); any other call makes
   * a user (createUser's options) and goes through its set-password link with
   * TEST_PASSWORD. Resolves, on the dashboard, with {email, password}.
   */
  async function signIn(page, options) {
    let email = "owner@voqo.localhost";
    let password = null;
    if (!options && !serveLinkUsed) {
      serveLinkUsed = true;
      await page.goto(signInLink);
    } else {
      const user = await createUser(options ?? {});
      email = user.email;
      await page.goto(user.link);
      if (user.setPassword) {
        password = TEST_PASSWORD;
        await page.getByLabel("New password").fill(password);
        await page.getByLabel("Repeat the password").fill(password);
        await page.getByRole("button", { name: "Set password and sign in" }).click();
      }
    }
    await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 20000 });
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    return { email, password };
  }

  return {
    url,
    port,
    dir,
    db,
    apiKey,
    signInLink,
    api,
    signIn,
    createUser,
    serveLog: srv.log,
    /** Polls `fn` (async, truthy = done) every 250 ms for up to `ms`; returns its value or throws `what`. */
    async waitFor(fn, ms = 60000, what = "condition") {
      const end = Date.now() + ms;
      for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      const codes = [];
      for (const p of procs.reverse()) codes.push(await stopProcess(p));
      if (!process.env.VOQO_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
      return codes;
    },
  };
}

/**
 * Launches headless Chromium (Debian's) with a fresh profile. `consoleErrors`
 * collects console errors and uncaught page errors. Chromium also logs every
 * HTTP 4xx answer as a console error ("Failed to load resource: … status of
 * 422"); those are the API doing its job (a rejected field, a call without
 * analytics), so they go to `clientErrors` instead, for tests to check.
 * Options: args (extra Chromium flags), viewport (default 1280×800).
 */
export async function launchBrowser({ args = [], viewport = { width: 1280, height: 800 } } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required", ...args],
  });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const consoleErrors = [];
  const clientErrors = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) clientErrors.push(`${text} ${msg.location().url ?? ""}`);
    else consoleErrors.push(`console: ${text}`);
  });
  page.on("pageerror", (err) => consoleErrors.push(`pageerror: ${err.message}`));
  page.setDefaultTimeout(20000);
  return { browser, context, page, consoleErrors, clientErrors };
}

const axeSource = path.join(webDir, "node_modules", "axe-core", "axe.min.js");

/**
 * Runs axe-core (Deque's accessibility engine) on the page for WCAG 2.x A and
 * AA rules (labels, names, roles, contrast, landmarks, …) and returns the
 * violations as short strings "rule: target — summary" (empty = none).
 */
export async function accessibilityViolations(page) {
  // Evaluated through the DevTools protocol: the page's CSP (scripts from 'self' only) rightly refuses a script tag.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(readFileSync(axeSource, "utf8"));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary.split("\n").slice(1).join(" ").trim()}`)).flat();
  });
  return result;
}

/** Saves a full-page PNG to web/e2e-artifacts/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The texts an element's aria-describedby points at (its hint and error), joined by " | ". */
export function describedText(locator) {
  return locator.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" | "),
  );
}

/**
 * Drags a file onto `zone` the way a user does: a DataTransfer holding a File
 * named `name` with `text`, through dragenter and dragover; `beforeDrop`
 * (optional) runs while the file is over the zone; then drop.
 */
export async function dropFile(page, zone, name, text, beforeDrop = async () => {}) {
  const dataTransfer = await page.evaluateHandle(
    ([fileName, body]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], fileName, { type: "text/csv" }));
      return dt;
    },
    [name, text],
  );
  await zone.dispatchEvent("dragenter", { dataTransfer });
  await zone.dispatchEvent("dragover", { dataTransfer });
  await beforeDrop();
  await zone.dispatchEvent("drop", { dataTransfer });
}

/**
 * Polls `fn` (async; a truthy value ends the wait and is returned; a throw
 * counts as "not yet") every `every` ms, failing after `ms` with `what` and
 * the last error.
 */
export async function until(what, fn, ms = 60_000, every = 250) {
  const end = Date.now() + ms;
  for (;;) {
    let last;
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Reads `read()` (an attribute, a text, a count: any async getter) until it
 * equals `expected` (===) or, for a RegExp, matches it, and returns the value;
 * after `ms` fails naming `what` and the value read last. What a page shows after
 * a click or a key is rendered on React's schedule, not the test's: reading it
 * once, right after the action, races that render (a CI run caught a tab's
 * aria-selected read before the arrow key's render).
 */
export async function eventually(what, read, expected, ms = 10_000) {
  const test = expected instanceof RegExp ? (v) => expected.test(String(v)) : (v) => v === expected;
  let last;
  try {
    return await until(what, async () => {
      last = await read();
      return test(last) ? { value: last } : null;
    }, ms, 100).then((r) => r.value);
  } catch (e) {
    throw new Error(`${e.message} (expected ${expected}, last read ${JSON.stringify(last)})`);
  }
}
