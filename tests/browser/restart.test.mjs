// Journey 4: an admin restarts an instance from its dashboard, watches the status badge go
// RESTARTING and then RUNNING again (the overview panel refreshes itself every 3 s while the
// status is transitional, without reloading the page), and finds the RestartInstance record
// in the audit log.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let browser;
let instanceId;

before(async () => {
  demo = await h.startDemo();
  ({ 'orders-prod': instanceId } = await h.ensureInstances(demo, ['orders-prod']));
  browser = await h.openBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

test('an admin restarts an instance, sees RESTARTING then RUNNING, and the audit record', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'admin');
  await page.goto(`${demo.url}/instances/${instanceId}`);
  const badge = page.locator('#instance-status');
  assert.equal(await badge.innerText(), 'RUNNING');
  // A RUNNING overview does not poll.
  assert.equal(await page.locator('#panel-overview[hx-trigger]').count(), 0);

  // Restart first says what it will do; the confirmation is an htmx POST answered with
  // HX-Redirect: the dashboard loads again.
  await Promise.all([page.waitForURL(/\/restart$/), page.click('#restart-button')]);
  assert.match(await page.locator('#restart-instance').innerText(), /restarts every broker/);
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/restart')),
    page.waitForResponse((r) => r.url() === `${demo.url}/instances/${instanceId}` && r.request().resourceType() === 'document'),
    page.click('#restart-confirm'),
  ]);
  assert.equal(post.headers()['hx-redirect'], `/instances/${instanceId}`);
  await page.waitForLoadState('load');
  assert.equal(await badge.innerText(), 'RESTARTING');
  assert.equal(await page.locator('#restart-button').getAttribute('aria-disabled'), 'true', 'no second restart while restarting');
  assert.equal(await page.locator('#panel-overview').getAttribute('hx-trigger'), 'every 3s');
  await h.screenshot(page, 'journey4-restarting');

  // From here on only the panel changes: no page load.
  await page.evaluate(() => {
    window.__noReload = true;
  });
  const refreshes = [];
  page.on('request', (request) => {
    if (request.url().endsWith(`/instances/${instanceId}/panels/overview`)) refreshes.push(Date.now());
  });
  await page.locator('#instance-status', { hasText: /^RUNNING$/ }).waitFor({ timeout: 30_000 });
  assert.ok(refreshes.length >= 1, 'the panel refreshed itself');
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
  assert.equal(await page.locator('#panel-overview').count(), 1);
  assert.equal(await page.locator('#panel-overview[hx-trigger]').count(), 0, 'polling stops once RUNNING');
  assert.equal(await page.locator('#restart-button').getAttribute('href'), `/instances/${instanceId}/restart`);
  // The refreshed panel went through app.js again: the storage bar is sized.
  assert.match(await page.locator('#panel-overview .bar-fill').getAttribute('style'), /width: \d+%/);
  // No further refresh after RUNNING.
  const count = refreshes.length;
  await page.waitForTimeout(3_500);
  assert.equal(refreshes.length, count, 'no refresh after the status settled');

  // The audit log has the restart, by admin, on this instance, with its outcome.
  await Promise.all([page.waitForURL(/\/audit$/), page.click('nav.sections a[href="/audit"]')]);
  const row = page.locator('#audit-table tbody tr', { hasText: 'RestartInstance' }).filter({ hasText: `instance/${instanceId}` });
  assert.equal(await row.count(), 1, 'one RestartInstance record for the instance');
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[1], 'admin');
  assert.equal(cells[2], 'admin');
  assert.match(cells[6], /^ok\b/);
  assert.match(cells[7], /^[0-9a-f]{32}$/, 'the DMS request id is recorded');

  // The audit filter works through htmx too.
  await page.fill('form.filters input[name=action]', 'RestartInstance');
  await Promise.all([page.waitForURL(/\/audit\?.*action=RestartInstance/), page.click('form.filters button[type=submit]')]);
  await h.waitFor(async () => (await page.locator('#audit-table tbody tr').count()) === 1, 'the filtered audit log', { timeoutMs: 5_000 });

  await h.screenshot(page, 'journey4-audit-log');
  h.assertNoProblems(assert, problems, 'journey 4');
});
