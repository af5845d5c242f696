// Journey: a team's console with single sign-on as its only mode. A real OpenID provider
// (tests/oidc/provider.mjs, oidc-provider) with users in different groups; the emulator and
// `dms-console serve --config` started the way a team runs them. In Chromium: sign in through
// the provider's own login and consent pages, see the controls of the role the groups map to,
// sign out (with the offer to end the provider's session too).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

const children = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

let work;
let issuer;
let consoleUrl;

function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  children.push(child);
  let output = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  child.output = () => output;
  return child;
}

async function listening(port, what, child) {
  for (let i = 0; i < 300; i += 1) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (child.exitCode !== null) throw new Error(`${what} exited:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not listen on ${port}:\n${child.output()}`);
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dms-console-sso-'));
  // The provider.
  const provider = start('node', [path.join(h.repoRoot, 'tests/oidc/provider.mjs')], {
    env: { ...process.env, OIDC_EXIT_WITH_STDIN: '1' },
  });
  const [line] = await Promise.race([
    readline.createInterface({ input: provider.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`the provider did not start:\n${provider.output()}`)), 20_000)),
  ]);
  ({ issuer } = JSON.parse(line));

  // The emulator, with demo data.
  const emulatorPort = await h.freePort();
  const ak = 'TEAMDEMOAK0000000001';
  const sk = crypto.randomBytes(20).toString('hex');
  const project = crypto.randomBytes(16).toString('hex');
  const emulator = start(h.consoleBinary(), [
    'emulator', '--listen', `127.0.0.1:${emulatorPort}`, '--data-dir', path.join(work, 'emulator'),
    '--access-key', ak, '--secret-key', sk, '--project-id', project, '--demo-data', '--seed', '7',
  ]);
  await listening(emulatorPort, 'the emulator', emulator);

  // The console, registered at the provider under its callback URL.
  const port = await h.freePort();
  consoleUrl = `http://127.0.0.1:${port}`;
  const registration = await fetch(`${issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [`${consoleUrl}/login/oidc/callback`],
      post_logout_redirect_uris: [`${consoleUrl}/login`],
      token_endpoint_auth_method: 'client_secret_basic',
    }),
  }).then((r) => r.json());
  fs.writeFileSync(path.join(work, 'oidc-secret'), registration.client_secret);
  fs.writeFileSync(path.join(work, 'dms-sk'), sk);
  fs.writeFileSync(path.join(work, 'console.toml'), `
[server]
listen = "127.0.0.1:${port}"

[session]
key = "${crypto.randomBytes(64).toString('hex')}"

[auth]
access_key = false
iam_user = false
console_accounts = false

[audit]
url = "sqlite:${path.join(work, 'audit.sqlite3')}"

[[connections]]
name = "team"
environment = "staging"
environment_colour = "amber"
[connections.dms]
endpoint = "http://127.0.0.1:${emulatorPort}"
project_id = "${project}"
access_key = "${ak}"
secret_key_file = "${path.join(work, 'dms-sk')}"

[oidc]
issuer = "${issuer}"
provider_name = "Team SSO"
client_id = "${registration.client_id}"
client_secret_file = "${path.join(work, 'oidc-secret')}"
redirect_url = "${consoleUrl}/login/oidc/callback"

[[oidc.groups]]
group = "payments-admins"
role = "admin"
connections = ["team"]

[[oidc.groups]]
group = "support"
role = "viewer"
connections = ["team"]
`);
  const served = start(h.consoleBinary(), ['serve', '--config', path.join(work, 'console.toml')], {
    cwd: work,
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  await listening(port, 'the console', served);
});

after(async () => {
  for (const child of children) child.kill('SIGINT');
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Signs in through the provider's login and consent pages as `login`. */
async function signInThroughProvider(page, login) {
  await page.goto(`${consoleUrl}/login`);
  assert.equal(await page.locator('#login-form').count(), 0, 'single sign-on is the only mode');
  assert.equal((await page.locator('#login-oidc').textContent()).replace(/[\u2068\u2069]/g, ''), 'Sign in with Team SSO');
  await Promise.all([page.waitForURL((url) => url.href.startsWith(issuer)), page.click('#login-oidc')]);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await Promise.all([page.waitForURL((url) => url.href.startsWith(issuer) && /interaction/.test(url.pathname)), page.click('button[type=submit]')]);
  // The consent page.
  await Promise.all([page.waitForURL(/\/instances(\?|$)/), page.click('button[type=submit]')]);
}

/** Problems of the console's own pages (the provider's development pages load web fonts). */
function consoleProblems(problems) {
  return problems.filter((p) => !p.includes(issuer));
}

test('an admin signs in through the provider, sees the admin controls and signs out', { timeout: 120_000 }, async () => {
  const browser = await h.openBrowser();
  try {
    const { page, problems } = browser;
    await signInThroughProvider(page, 'ana');
    assert.equal(await page.locator('#whoami .role').getAttribute('data-role'), 'admin');
    assert.equal((await page.locator('#whoami .user').textContent()).replace(/[\u2068\u2069]/g, ''), 'ana');
    assert.equal(await page.locator('nav.sections a[href="/audit"]').count(), 1);
    await page.locator('main table a[href^="/instances/"]').first().click();
    await h.dashboardLoaded(page);
    assert.equal(await page.locator('#instance-actions').count(), 1, 'an admin may change the instance');
    await h.screenshot(page, 'sso-admin-dashboard');

    await page.goto(`${consoleUrl}/sessions`);
    assert.equal((await page.locator('#sessions-table td.mode').first().textContent()).trim(), 'Single sign-on');

    await Promise.all([page.waitForURL(/\/login\?signed_out=oidc/), page.click('#whoami button:text("Sign out")')]);
    const endSession = await page.locator('#end-session-link').getAttribute('href');
    assert.ok(endSession.startsWith(`${issuer}/session/end?`), endSession);
    await h.screenshot(page, 'sso-signed-out');
    const gone = await page.goto(`${consoleUrl}/instances`);
    assert.ok(gone.url().endsWith('/login'), gone.url());
    h.assertNoProblems(assert, consoleProblems(problems), 'single sign-on (admin)');
  } finally {
    await browser.close();
  }
});

test('a user of the support group signs in as a viewer without change controls', { timeout: 120_000 }, async () => {
  const browser = await h.openBrowser();
  try {
    const { page, problems } = browser;
    await signInThroughProvider(page, 'ben');
    assert.equal(await page.locator('#whoami .role').getAttribute('data-role'), 'viewer');
    assert.equal(await page.locator('nav.sections a[href="/audit"]').count(), 0);
    await page.locator('main table a[href^="/instances/"]').first().click();
    await h.dashboardLoaded(page);
    assert.equal(await page.locator('#instance-actions').count(), 0, 'a viewer changes nothing');
    await h.signOut(page);
    h.assertNoProblems(assert, consoleProblems(problems), 'single sign-on (viewer)');
  } finally {
    await browser.close();
  }
});
