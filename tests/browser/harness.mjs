// Test harness for the browser journeys: starts `dms-console demo` on a free loopback port,
// reads the console URL and the sign-ins it prints, launches headless Chromium through
// playwright-core, and records every console error, uncaught exception and CSP violation.
//
// The binary is $DMS_CONSOLE_BIN, or the newest of `debug/dms-console` and
// `release/dms-console` under $CARGO_TARGET_DIR (default: the repository's `target/`).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where screenshots go (ignored by git). */
export const screenshotDir = path.join(repoRoot, 'target', 'browser');

/** The dms-console binary to run. */
export function consoleBinary() {
  if (process.env.DMS_CONSOLE_BIN) return process.env.DMS_CONSOLE_BIN;
  const targetDir = path.resolve(repoRoot, process.env.CARGO_TARGET_DIR || 'target');
  const candidates = ['debug', 'release']
    .map((profile) => path.join(targetDir, profile, 'dms-console'))
    .filter((file) => fs.existsSync(file))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (candidates.length === 0) {
    throw new Error(`no dms-console binary under ${targetDir}: run \`cargo build\` first`);
  }
  return candidates[0];
}

/** A TCP port that was free a moment ago. */
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Parses what `dms-console demo` prints: the console and emulator URLs and the sign-ins.
 * Returns null until every expected line has been seen.
 */
export function parseDemoOutput(text) {
  const consoleUrl = text.match(/^\s*console\s+(http:\/\/\S+?)\/?\s*$/m)?.[1];
  const emulatorUrl = text.match(/^\s*emulator\s+(http:\/\/\S+)/m)?.[1];
  const accounts = {};
  for (const m of text.matchAll(/^\s*console account (\S+)\s+(\S+)\s+\((\w+)\)\s*$/gm)) {
    accounts[m[1]] = { name: m[1], password: m[2], role: m[3] };
  }
  const ak = text.match(/^\s*access key (\S+) \(project (\S+)\)\s+(\S+)\s+\((\w+)\)\s*$/m);
  const iam = text.match(/^\s*IAM user ([^/\s]+)\/(\S+) \(region (\S+)\)\s+(\S+)\s+\((\w+)\)\s*$/m);
  if (!consoleUrl || !emulatorUrl || !ak || !iam || !accounts.admin || !accounts.viewer) {
    return null;
  }
  return {
    url: consoleUrl,
    emulatorUrl,
    accounts,
    accessKey: { id: ak[1], projectId: ak[2], secret: ak[3], role: ak[4] },
    iamUser: { domain: iam[1], user: iam[2], region: iam[3], password: iam[4], role: iam[5] },
  };
}

/**
 * The demo's test flags: fault rules settable at run time, instances created in 1 s and
 * restarted in 5 s (so a journey can watch RESTARTING turn back into RUNNING).
 */
export const DEMO_TEST_ARGS = ['--fault-admin', '--create-seconds', '1', '--restart-seconds', '5'];

/**
 * Starts `dms-console demo --listen 127.0.0.1:<free port> --seed 7 [extraArgs]` and resolves
 * once it has printed its sign-ins. `stop()` ends it (SIGINT, then SIGKILL after 5 s).
 */
export async function startDemo({ extraArgs = DEMO_TEST_ARGS, timeoutMs = 30_000 } = {}) {
  const binary = consoleBinary();
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    try {
      return await launch(binary, ['demo', '--listen', `127.0.0.1:${port}`, '--seed', '7', ...extraArgs], timeoutMs);
    } catch (error) {
      lastError = error;
      // Someone took the port between our check and the bind: try another.
      if (!/cannot listen/.test(String(error))) throw error;
    }
  }
  throw lastError;
}

/** Demo processes still running, killed if the test process exits without stopping them. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function launch(binary, args, timeoutMs) {
  const child = spawn(binary, args, {
    cwd: os.tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const parsed = parseDemoOutput(stdout);
      if (parsed && /Ctrl-C stops both/.test(stdout)) {
        clearTimeout(timer);
        resolve(parsed);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (code ${code}, signal ${signal}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
  const info = await ready;
  return {
    ...info,
    process: child,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Records the errors a page reports. */
function watch(page, problems) {
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console error on ${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception on ${page.url()}: ${error.message}`));
  page.on('response', (response) => {
    // A failing subresource (an asset, an htmx request answered with an error page) is a
    // problem even when Chromium does not log it.
    const request = response.request();
    if (response.status() >= 500 || (response.status() === 404 && request.resourceType() !== 'document')) {
      problems.push(`${response.status()} for ${request.method()} ${response.url()}`);
    }
  });
}

/**
 * Launches headless Chromium on a fresh profile. Returns the persistent context, its first
 * page and `problems`, the list of console errors, uncaught exceptions and CSP violations
 * seen on any page of the context. `colorScheme` is 'light' or 'dark'.
 */
export async function openBrowser({ colorScheme = 'light' } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dms-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    colorScheme,
    viewport: { width: 1280, height: 860 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const problems = [];
  // Runs before any page script, unaffected by the page's CSP.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile || ''}:${event.lineNumber || ''})`);
    });
  });
  context.on('page', (page) => watch(page, problems));
  for (const page of context.pages()) watch(page, problems);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot to target/browser/<name>.png and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in with a console account through the form. */
export async function signInAccount(page, demo, name) {
  await page.goto(`${demo.url}/login?mode=account`);
  await page.fill('input[name=account]', name);
  await page.fill('input[name=password]', demo.accounts[name].password);
  await Promise.all([page.waitForURL(/\/instances(\?|$)/), page.click('#login-form button[type=submit]')]);
}

/** Signs in with the demo's access key through the "Access key" tab. */
export async function signInAccessKey(page, demo) {
  await page.goto(`${demo.url}/login`);
  await Promise.all([page.waitForURL(/mode=access_key/), page.click('nav.tabs a:text("Access key")')]);
  await page.fill('input[name=access_key]', demo.accessKey.id);
  await page.fill('input[name=secret_key]', demo.accessKey.secret);
  await page.fill('input[name=project_id]', demo.accessKey.projectId);
  await page.selectOption('select[name=region]', demo.iamUser.region);
  await Promise.all([page.waitForURL(/\/instances(\?|$)/), page.click('#login-form button[type=submit]')]);
}

/** Signs out with the header's button and waits for the sign-in page. */
export async function signOut(page) {
  await Promise.all([page.waitForURL(/\/login/), page.click('#whoami button:text("Sign out")')]);
}

/** The session cookie of `context`, if any. */
export async function sessionCookie(context) {
  const cookies = await context.cookies();
  return cookies.find((c) => /dms-console-session$/.test(c.name));
}

/**
 * One signed DMS call to the demo's emulator with the demo's access key, made by
 * `dms-console api` (so the test does not carry a second SDK-HMAC-SHA256 signer). Resolves to
 * the parsed JSON answer; rejects on a non-2xx answer.
 */
export async function dmsApi(demo, method, apiPath, { query = {}, body } = {}) {
  const args = ['api', method, apiPath];
  for (const [name, value] of Object.entries(query)) args.push('--query', `${name}=${value}`);
  if (body !== undefined) args.push('--body', JSON.stringify(body));
  const child = spawn(consoleBinary(), args, {
    cwd: os.tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DMS_CONSOLE__DMS__ENDPOINT: demo.emulatorUrl,
      DMS_CONSOLE__DMS__PROJECT_ID: demo.accessKey.projectId,
      DMS_CONSOLE__DMS__ACCESS_KEY: demo.accessKey.id,
      DMS_CONSOLE__DMS__SECRET_KEY: demo.accessKey.secret,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`dms-console api ${method} ${apiPath} failed (${code}): ${stderr}${stdout}`);
  return stdout.trim() ? JSON.parse(stdout) : null;
}

/** The demo project's instances, as DMS lists them. */
export async function listInstances(demo, query = {}) {
  const reply = await dmsApi(demo, 'GET', '/v2/{project_id}/instances', {
    query: { engine: 'reliability', limit: 50, ...query },
  });
  return reply.instances ?? [];
}

/** A valid create body (API reference 5.1.2 example). */
function createBody(name) {
  return {
    name,
    description: 'created by the browser tests',
    engine: 'reliability',
    engine_version: '4.8.0',
    storage_space: 600,
    vpc_id: '3db8490c-4d6d-4d8f-8d3f-047b0de4c5cf',
    subnet_id: '0a0f1fcb-f019-458d-b9e5-301867394d50',
    security_group_id: '23c5977f-ff33-4b95-a73e-08d8a0bc4e6c',
    available_zones: ['9f1c5806706d4c1fb0eb72f0a9b18c77'],
    product_id: 'c6.4u8g.cluster',
    storage_spec_code: 'dms.physical.storage.ultra.v2',
    broker_num: 1,
  };
}

/** Waits until `check()` returns a truthy value (polling), or throws after `timeoutMs`. */
export async function waitFor(check, what, { timeoutMs = 30_000, everyMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Makes sure RUNNING instances with each of `names` exist in the demo project (whatever demo
 * data the emulator already has), creating the missing ones through the API and waiting for
 * them to leave CREATING. Returns `{ name: id }`.
 */
export async function ensureInstances(demo, names) {
  const byName = new Map((await listInstances(demo)).map((i) => [i.name, i]));
  for (const name of names) {
    if (!byName.has(name)) await dmsApi(demo, 'POST', '/v2/reliability/{project_id}/instances', { body: createBody(name) });
  }
  const ready = await waitFor(async () => {
    const all = new Map((await listInstances(demo)).map((i) => [i.name, i]));
    return names.every((n) => all.get(n)?.status === 'RUNNING') ? all : null;
  }, `instances ${names.join(', ')} to be RUNNING`);
  return Object.fromEntries(names.map((n) => [n, ready.get(n).instance_id]));
}

/** Sets the emulator's fault rules (the demo must run with `--fault-admin`). */
export async function setFaults(demo, rules) {
  const response = await fetch(`${demo.emulatorUrl}/_emulator/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rules),
  });
  if (!response.ok) throw new Error(`setting faults: ${response.status} ${await response.text()}`);
}

/** Waits until the dashboard shows its overview and its attention panel has loaded itself. */
export async function dashboardLoaded(page) {
  await page.locator('#panel-overview #instance-status').waitFor();
  await page.locator('#panel-attention:not([aria-busy])').waitFor();
}

/** Throws when the browser reported problems. */
export function assertNoProblems(assert, problems, what) {
  assert.deepEqual(problems, [], `${what}: the browser reported problems`);
}
