// Journey 1: sign in with an access key, see the instance list, open a dashboard, sign out,
// and check that the old session cookie is refused afterwards.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let browser;

before(async () => {
  demo = await h.startDemo();
  await h.ensureInstances(demo, ['orders-prod']);
  browser = await h.openBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

test('access-key sign-in, instance list, dashboard, sign-out; the old cookie is refused', { timeout: 120_000 }, async () => {
  const { page, context, problems } = browser;

  await h.signInAccessKey(page, demo);
  await assert.doesNotReject(page.locator('#whoami .user').filter({ hasText: demo.accessKey.id }).waitFor());
  assert.equal(await page.locator('#whoami .role').getAttribute('data-role'), 'admin');
  const rows = page.locator('#instance-table tbody tr');
  assert.ok((await rows.count()) >= 1, 'the instance list has at least one row');
  assert.match(await page.locator('#list-count').innerText(), /Showing 1–\d+ of \d+/);
  await h.screenshot(page, 'journey1-instance-list');

  // Open a dashboard from the list.
  const link = page.locator('#instance-table a', { hasText: 'orders-prod' });
  await Promise.all([page.waitForURL(/\/instances\/[0-9a-f-]{36}$/), link.click()]);
  await h.dashboardLoaded(page);
  assert.equal(await page.locator('h1').innerText(), 'orders-prod');
  assert.equal(await page.locator('#instance-status').innerText(), 'RUNNING');
  await page.locator('#panel-brokers table, #panel-brokers .sub').first().waitFor();
  assert.match(await page.locator('#panel-attention').innerText(), /Checked \d+ of \d+ consumer groups/);
  assert.equal(await page.locator('#panel-attention').count(), 1, 'the loaded panel replaced the placeholder');
  const dashboardUrl = page.url();
  await h.screenshot(page, 'journey1-dashboard');

  const before = await h.sessionCookie(context);
  assert.ok(before, 'a session cookie was set at sign-in');

  await h.signOut(page);
  assert.ok(await page.locator('#login-form').isVisible());
  assert.equal(await h.sessionCookie(context), undefined, 'sign-out cleared the session cookie');

  // Replaying the old cookie from outside the browser: sent to sign-in.
  const replay = await fetch(dashboardUrl, {
    redirect: 'manual',
    headers: { cookie: `${before.name}=${before.value}` },
  });
  assert.equal(replay.status, 303);
  assert.equal(replay.headers.get('location'), '/login');

  // ... and from a browser that carries it.
  await context.addCookies([before]);
  await page.goto(dashboardUrl);
  assert.match(page.url(), /\/login$/);
  assert.ok(await page.locator('#login-form').isVisible());

  await h.screenshot(page, 'journey1-access-key-signed-out');
  h.assertNoProblems(assert, problems, 'journey 1');
});
