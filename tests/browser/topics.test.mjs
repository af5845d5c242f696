// Topics in a real browser: create a topic, find it in the list, send it a test message and
// watch its message count grow; create topics from a CSV file with one bad row; a viewer sees
// no control that changes a topic or an ACL user.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let id;

before(async () => {
  demo = await h.startDemo();
  ({ 'orders-prod': id } = await h.ensureInstances(demo, ['orders-prod']));
});

after(async () => {
  await demo?.stop();
});

test('create a topic, find it, send it a test message, see its count grow', { timeout: 120_000 }, async () => {
  const browser = await h.openBrowser();
  try {
    const { page, problems } = browser;
    await h.signInAccount(page, demo, 'admin');
    await page.goto(`${demo.url}/instances/${id}/topics`);
    await Promise.all([page.waitForURL(/\/new-topic$/), page.click('#create-topic')]);
    // The browser checks the name rule before anything is sent.
    await page.fill('#f-name', 'bad name');
    assert.equal(await page.locator('#f-name').evaluate((input) => input.checkValidity()), false);
    await page.fill('#f-name', 'journey-orders');
    await page.check('input[name=broker]');
    await page.click('#preview-button');
    await page.locator('#change-preview').waitFor();
    await Promise.all([page.waitForURL(/\/topics\/journey-orders$/), page.click('#confirm-button')]);
    assert.equal(await page.locator('#topic h1').innerText(), 'journey-orders');
    assert.equal(await page.locator('#message-total').innerText(), '0');

    await page.goto(`${demo.url}/instances/${id}/topics`);
    await page.fill('#topic-search', 'JOURNEY');
    await Promise.all([page.waitForURL(/name=JOURNEY/), page.press('#topic-search', 'Enter')]);
    await page.locator('#topic-table tr[data-topic="journey-orders"]').waitFor();
    assert.match(await page.locator('#list-source').innerText(), /As of/);
    await h.screenshot(page, 'topics-search');

    const href = await page.locator('#topic-table tr[data-topic="journey-orders"] a.topic-link').getAttribute('href');
    await page.goto(`${demo.url}${href}`);
    await page.fill('#send-form textarea[name=body]', '{"order": 42}');
    await page.fill('#send-form input[name=tags]', 'created');
    await page.fill('#send-form input[name=keys]', 'order-42');
    await Promise.all([page.waitForURL(/\?sent=/), page.click('#send-button')]);
    assert.ok((await page.locator('#sent-id').innerText()).length > 10, 'the new message id is shown');
    assert.equal(await page.locator('#message-total').innerText(), '1');
    await h.screenshot(page, 'topic-page');
    h.assertNoProblems(assert, problems, 'create and send');
  } finally {
    await browser.close();
  }
});

test('batch-create topics from a CSV file with one bad row', { timeout: 120_000 }, async () => {
  const browser = await h.openBrowser();
  try {
    const { page, problems } = browser;
    await h.signInAccount(page, demo, 'admin');
    await page.goto(`${demo.url}/instances/${id}/topics`);
    await Promise.all([page.waitForURL(/\/import-topics$/), page.click('#import-topics')]);
    const csv = 'name,permission,queues\nfile-orders,all,3\nfile bad!,all,3\nfile-audit,pub,2\n';
    await page.setInputFiles('#f-file', { name: 'topics.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await Promise.all([page.waitForLoadState('load'), page.click('#import-preview-button')]);
    await page.locator('#import-preview').waitFor();
    const states = await page.locator('#import-preview tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.state));
    assert.deepEqual(states, ['create', 'invalid', 'create']);
    await h.screenshot(page, 'topics-import-preview');
    await page.click('#import-confirm');
    await page.locator('#import-results').waitFor();
    const outcomes = await page.locator('#import-results tbody tr').evaluateAll((rows) => rows.map((r) => [r.dataset.topic, r.dataset.outcome]));
    assert.deepEqual(outcomes, [['file-orders', 'ok'], ['file bad!', 'skipped'], ['file-audit', 'ok']]);
    await page.goto(`${demo.url}/instances/${id}/topics?name=file-`);
    const listed = await page.locator('#topic-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.topic));
    assert.deepEqual(listed.sort(), ['file-audit', 'file-orders']);
    h.assertNoProblems(assert, problems, 'batch create');
  } finally {
    await browser.close();
  }
});

test('a viewer sees topics and users with no change controls', { timeout: 120_000 }, async () => {
  const browser = await h.openBrowser();
  try {
    const { page, problems } = browser;
    await h.signInAccount(page, demo, 'viewer');
    await page.goto(`${demo.url}/instances/${id}/topics`);
    await page.locator('#topics h1').waitFor();
    for (const control of ['#create-topic', '#import-topics', '#batch-delete-form', 'input[name=topic]']) {
      assert.equal(await page.locator(control).count(), 0, control);
    }
    const first = page.locator('#topic-table a.topic-link').first();
    await Promise.all([page.waitForURL(/\/topics\/[^/?]+$/), first.click()]);
    for (const control of ['#edit-topic', '#delete-topic', '#send-form']) {
      assert.equal(await page.locator(control).count(), 0, control);
    }
    await page.goto(`${demo.url}/instances/${id}/users`);
    assert.equal(await page.locator('#create-user').count(), 0);
    assert.equal(await page.locator('a.delete-user').count(), 0);
    h.assertNoProblems(assert, problems, 'viewer');
  } finally {
    await browser.close();
  }
});
