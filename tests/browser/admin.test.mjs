// The administrator's journeys: create an instance and watch it become RUNNING without
// reloading; resize it and watch EXTENDING end; tag it and filter the list by the tag; change
// a parameter and find the diff in the audit log; upload a migration file, preview it and
// create the task; compare two instances. One demo, with short life cycles.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let browser;
let created;

before(async () => {
  demo = await h.startDemo({
    extraArgs: ['--fault-admin', '--create-seconds', '4', '--extend-seconds', '4', '--restart-seconds', '3', '--migration-seconds', '2'],
  });
  await h.ensureInstances(demo, ['orders-prod', 'billing-prod']);
  browser = await h.openBrowser();
  await h.signInAccount(browser.page, demo, 'admin');
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** Marks the current document, so a later check can tell whether the page was reloaded. */
async function markDocument(page) {
  await page.evaluate(() => {
    window.__noReload = true;
  });
}

async function notReloaded(page) {
  return page.evaluate(() => window.__noReload === true);
}

test('an admin creates an instance and watches it become RUNNING without reloading', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await page.goto(`${demo.url}/instances`);
  await Promise.all([page.waitForURL(/\/instances\/new$/), page.click('#create-instance-link')]);
  // The form starts filled from what the region offers and the newest instance's network.
  assert.notEqual(await page.inputValue('#f-vpc_id'), '');
  assert.equal(await page.locator('input[name=zone]:checked').count(), 1);
  await page.fill('#f-name', 'browser-created');
  // A rule broken: two zones. The preview says so next to the zones.
  await page.locator('input[name=zone]:not(:checked):not([disabled])').first().check();
  await page.click('#preview-button');
  await page.locator('[data-field=zones] .field-error').waitFor();
  assert.match(await page.locator('[data-field=zones] .field-error').innerText(), /three or more/);
  await page.locator('input[name=zone]:checked').first().uncheck();
  await page.fill('#f-tags', 'env=browser');
  await page.click('#preview-button');
  await page.locator('#create-summary').waitFor();
  assert.match(await page.locator('#create-summary').innerText(), /browser-created/);
  assert.match(await page.locator('#create-cores').innerText(), /^\d+$/);
  await h.screenshot(page, 'admin-create-preview');
  await Promise.all([page.waitForURL(/\/progress\?job=create$/), page.click('#confirm-button')]);
  created = page.url().match(/\/instances\/([0-9a-f-]{36})\//)[1];
  assert.equal(await page.locator('#progress-status').getAttribute('data-status'), 'CREATING');
  await markDocument(page);
  await page.locator('#progress[data-stage=done]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#progress-status').getAttribute('data-status'), 'RUNNING');
  assert.equal(await notReloaded(page), true, 'the status changed in place');
  assert.equal(await page.locator('#progress[hx-get]').count(), 0, 'polling stopped at RUNNING');
  await h.screenshot(page, 'admin-create-running');
  h.assertNoProblems(assert, problems, 'create');
});

test('an admin resizes the instance and watches EXTENDING end', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  assert.ok(created, 'the instance of the first journey');
  await page.goto(`${demo.url}/instances/${created}`);
  await Promise.all([page.waitForURL(/\/resize$/), page.click('#resize-button')]);
  await page.selectOption('#f-change', 'storage');
  const min = Number(await page.getAttribute('#f-new_storage_space', 'min'));
  await page.fill('#f-new_storage_space', String(min));
  await page.click('#preview-button');
  await page.locator('#change-preview').waitFor();
  const cells = await page.locator('#change-preview tr.changed td').allInnerTexts();
  assert.equal(cells[1], String(min), `the new storage is previewed: ${cells}`);
  assert.match(await page.locator('#resize-meaning').innerText(), /only grows/);
  await Promise.all([page.waitForURL(/\/progress\?job=resize$/), page.click('#confirm-button')]);
  await markDocument(page);
  await page.locator('#progress-status[data-status=EXTENDING]').waitFor({ timeout: 10_000 });
  await page.locator('#progress[data-stage=done]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#progress-status').getAttribute('data-status'), 'RUNNING');
  assert.equal(await page.locator('#progress-storage').innerText(), `${min} GB`);
  assert.equal(await notReloaded(page), true);
  h.assertNoProblems(assert, problems, 'resize');
});

test('an admin tags the instance and filters the list by the tag', { timeout: 60_000 }, async () => {
  const { page, problems } = browser;
  await page.goto(`${demo.url}/instances/${created}/tags`);
  await page.fill('#f-key', 'owner');
  await page.fill('#f-value', 'browser-team');
  await page.click('#tag-add button[type=submit]');
  await page.locator('#change-preview').waitFor();
  assert.deepEqual(await page.locator('#change-preview td').allInnerTexts(), ['not set', 'browser-team']);
  // The answer is an HX-Redirect to the same address: the tab loads again with the tag.
  await page.click('#confirm-button');
  await page.locator('#tag-table tr[data-tag-key=owner]').waitFor();
  const keys = await page.locator('#tag-table td:first-child').allInnerTexts();
  assert.ok(keys.includes('owner'), `${keys}`);
  await Promise.all([
    page.waitForURL(/\/instances\?tag=owner%3Dbrowser-team/),
    page.locator('#tag-table tr[data-tag-key=owner] a.tag-filter').click(),
  ]);
  const names = await page.locator('#instance-table tbody tr td:first-child a').allInnerTexts();
  assert.deepEqual(names, ['browser-created']);
  assert.equal(await page.inputValue('input[name=tag]'), 'owner=browser-team');
  h.assertNoProblems(assert, problems, 'tags');
});

test('an admin changes a parameter and sees the diff in the audit log', { timeout: 60_000 }, async () => {
  const { page, problems } = browser;
  await page.goto(`${demo.url}/instances/${created}/config`);
  const input = page.locator('input[name="p:fileReservedTime"]');
  await input.fill('96');
  await page.click('#preview-button');
  await page.locator('#change-preview').waitFor();
  const cells = await page.locator('#change-preview tr[data-param=fileReservedTime] td').allInnerTexts();
  assert.deepEqual(cells, ['48', '96']);
  await page.click('#confirm-button');
  await page.locator('#config-form').waitFor();
  assert.equal(await input.inputValue(), '96');
  await page.goto(`${demo.url}/audit?action=UpdateRocketMqConfigs`);
  const row = page.locator('#audit-table tbody tr', { hasText: `instance/${created}` });
  assert.equal(await row.count(), 1);
  assert.match(await row.locator('.params').innerText(), /"fileReservedTime":\{"after":"96","before":"48"\}/);
  h.assertNoProblems(assert, problems, 'parameters');
});

test('an admin uploads a migration file, previews it and creates the task', { timeout: 90_000 }, async () => {
  const { page, problems } = browser;
  const metadata = {
    topicConfigTable: {
      'idc-orders': { topicName: 'idc-orders', readQueueNums: 4, writeQueueNums: 4, perm: 6 },
      'idc-audit': { topicName: 'idc-audit', readQueueNums: 2, writeQueueNums: 2, perm: 4 },
      '%RETRY%idc-billing': { readQueueNums: 1, writeQueueNums: 1, perm: 6 },
    },
    subscriptionGroupTable: { 'idc-billing': { groupName: 'idc-billing', consumeEnable: true, retryMaxTimes: 5 } },
  };
  await page.goto(`${demo.url}/instances/${created}/migrations`);
  await page.fill('#f-name', 'from-idc');
  await page.setInputFiles('#f-file', {
    name: 'metadata.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(metadata)),
  });
  await page.click('#preview-button');
  await page.locator('#migration-plan').waitFor();
  const states = await page.locator('#migration-plan tr[data-state]').evaluateAll((rows) =>
    rows.map((row) => `${row.dataset.name}:${row.dataset.state}`),
  );
  assert.deepEqual(states.sort(), ['%RETRY%idc-billing:system', 'idc-audit:create', 'idc-billing:create', 'idc-orders:create']);
  await h.screenshot(page, 'admin-migration-preview');
  await Promise.all([page.waitForURL(/\/migrations\?task=/), page.click('#confirm-button')]);
  assert.equal(await page.locator('#migration-detail dd').first().innerText(), 'from-idc');
  // The task runs on its own; its details say when it has finished.
  await h.waitFor(async () => {
    await page.reload();
    return (await page.locator('#detail-status').getAttribute('data-status')) === 'finished';
  }, 'the migration task to finish', { timeoutMs: 30_000, everyMs: 1_000 });
  h.assertNoProblems(assert, problems, 'migration');
});

test('an admin compares two instances', { timeout: 60_000 }, async () => {
  const { page, problems } = browser;
  await page.goto(`${demo.url}/instances`);
  await Promise.all([page.waitForURL(/\/compare$/), page.click('#compare-link')]);
  const values = await page.locator('#compare-a option').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  assert.ok(values.length >= 2, `${values}`);
  await page.selectOption('#compare-a', created);
  const other = values.find((v) => v !== created);
  await page.selectOption('#compare-b', other);
  await Promise.all([page.waitForURL(/\/compare\?a=/), page.click('#compare-button')]);
  assert.match(await page.locator('#compare-topic-summary').innerText(), /the same on both/);
  assert.ok((await page.locator('#topics-only-a li').count()) >= 2, 'the migrated topics are only in the new instance');
  await h.screenshot(page, 'admin-compare');
  h.assertNoProblems(assert, problems, 'compare');
});
