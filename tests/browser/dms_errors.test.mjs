// When DMS fails (faults injected into the demo's emulator), htmx-driven parts of the page
// show what failed, with the DMS error code and request id, instead of silently keeping stale
// content; and the browser logs no error for it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let browser;
let instanceId;

before(async () => {
  demo = await h.startDemo();
  ({ 'orders-prod': instanceId } = await h.ensureInstances(demo, ['orders-prod', 'billing-test']));
  browser = await h.openBrowser();
  await h.signInAccount(browser.page, demo, 'admin');
});

after(async () => {
  await h.setFaults(demo, []).catch(() => {});
  await browser?.close();
  await demo?.stop();
});

test('a failing list filter shows the error card, not the stale table', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await page.goto(`${demo.url}/instances`);
  await page.locator('#instance-table').waitFor();
  await h.setFaults(demo, [{ method: 'GET', path: '/v2/*/instances', error_rate: 1, status: 500, error_code: 'DMS.00500000' }]);
  try {
    await page.fill('form.filters input[name=name]', 'billing');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/instances?') && r.request().headers()['hx-request'] === 'true'),
      page.click('form.filters button[type=submit]'),
    ]);
    assert.equal(response.headers()['x-console-error-status'], '502');
    const card = page.locator('#instances .error-card');
    await card.waitFor();
    assert.match(await card.innerText(), /Listing instances failed/);
    assert.equal(await card.locator('.error-code').innerText(), 'DMS.00500000');
    assert.match(await card.locator('.request-id').innerText(), /^[0-9a-f]{32}$/);
    assert.equal(await page.locator('#instance-table').count(), 0, 'the old table is gone');
  } finally {
    await h.setFaults(demo, []);
  }
  h.assertNoProblems(assert, problems, 'failing list');
});

test('a failing save shows the problem inside the edit form, and Retry reloads a failed panel', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await page.goto(`${demo.url}/instances/${instanceId}/edit`);
  await page.locator('#edit-instance form').waitFor();

  // A validation error comes back as the form with the field's message.
  await page.fill('#edit-instance input[name=name]', 'x');
  await page.click('#edit-instance button[type=submit]');
  await page.locator('#error-name').waitFor();

  // A valid change is previewed first: before and after, nothing sent yet.
  await page.fill('#edit-instance input[name=name]', 'orders-renamed');
  await page.click('#edit-instance button[type=submit]');
  await page.locator('#change-preview tr.changed', { hasText: 'orders-renamed' }).waitFor();

  // A DMS failure comes back as the form with an error card.
  await h.setFaults(demo, [{ method: 'PUT', path: '/**', error_rate: 1, status: 500 }]);
  try {
    await page.click('#confirm-button');
    await page.locator('#edit-instance .error-card', { hasText: 'Saving the instance failed' }).waitFor();
    assert.equal(await page.inputValue('#edit-instance input[name=name]'), 'orders-renamed', 'what was typed is kept');
    assert.equal(await page.locator('#edit-instance').count(), 1);
  } finally {
    await h.setFaults(demo, []);
  }

  // A dashboard panel that failed has a Retry button that replaces only that panel.
  await h.setFaults(demo, [{ path: '/v2/*/instances/*/brokers', error_rate: 1, status: 500 }]);
  await page.goto(`${demo.url}/instances/${instanceId}`);
  await page.locator('#panel-brokers .error-card').waitFor();
  assert.equal(await page.locator('#panel-overview .error-card').count(), 0, 'the other panels still show');
  await h.setFaults(demo, []);
  await page.click('#panel-brokers button:text("Retry")');
  await page.locator('#panel-brokers table').waitFor();
  assert.equal(await page.locator('#panel-brokers').count(), 1);
  assert.equal(await page.locator('#panel-brokers .error-card').count(), 0);

  // A failed restart is reported on the restart page, which stays where it was and offers the
  // button again.
  await Promise.all([page.waitForURL(/\/restart$/), page.click('#restart-button')]);
  await h.setFaults(demo, [{ method: 'POST', path: '/v2/**', error_rate: 1, status: 500, error_code: 'DMS.00500000' }]);
  try {
    await page.evaluate(() => {
      window.__noReload = true;
    });
    await page.click('#restart-confirm');
    const card = page.locator('#restart-instance .error-card', { hasText: 'Restarting the instance failed' });
    await card.waitFor();
    assert.equal(await card.locator('.error-code').innerText(), 'DMS.00500000');
    assert.match(await card.locator('.request-id').innerText(), /^[0-9a-f]{32}$/);
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page stayed');
    assert.equal(page.url(), `${demo.url}/instances/${instanceId}/restart`);
    assert.ok(await page.locator('#restart-confirm').isEnabled());
  } finally {
    await h.setFaults(demo, []);
  }

  await h.screenshot(page, 'dms-errors-retried');
  h.assertNoProblems(assert, problems, 'failing save and panel');
});

test('an unknown address shows the console not-found page, not the browser error screen', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  const before = problems.length;
  const response = await page.goto(`${demo.url}/no-such-page`);
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('.error-card[data-status="404"] h1').innerText(), 'Not found');
  assert.ok(await page.locator('#error-page a[href="/instances"]').isVisible());
  // The only complaint is Chromium noting the 404 of the document itself.
  const added = problems.splice(before);
  assert.ok(added.every((p) => /status of 404/.test(p)), added.join('\n'));
  h.assertNoProblems(assert, problems, 'not-found page');
});
