// Messages and dead letters in a real browser: search a topic, open a message, read its
// trace; select dead letters, resend them and read the results; export them as JSON and CSV;
// and message bodies that are HTML stay text: no script runs, no request is made, no CSP
// violation is reported.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

/** The demo group whose consumer fails some messages until they are dead letters. */
const FAILING_GROUP = 'GID_fraud-inventory-updated';

let demo;
let browser;
let ordersId;

before(async () => {
  demo = await h.startDemo();
  ordersId = (await h.ensureInstances(demo, ['orders-prod']))['orders-prod'];
  browser = await h.openBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** The body of a downloaded file as text. */
async function downloaded(download) {
  const chunks = await (await download.createReadStream()).toArray();
  return Buffer.concat(chunks).toString('utf8');
}

test('search a topic, open a message, read its trace', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'operator');
  await page.goto(`${demo.url}/instances/${ordersId}/messages`);
  assert.equal(await page.locator('#instance-tabs a[aria-current=page]').innerText(), 'Messages');
  await page.fill('#search-form input[name=topic]', 'orders-created');
  await page.selectOption('#search-range', '24h');
  // htmx swaps the results in and puts the search in the address bar.
  await Promise.all([page.waitForURL(/topic=orders-created/), page.click('#search-button')]);
  await page.locator('#message-table tbody tr').first().waitFor();
  assert.match(page.url(), /range=24h/);
  const count = await page.locator('#list-count').innerText();
  assert.match(count, /^Showing 1–20 of \d+/);
  // The search is a link: opening it again gives the same page.
  const again = await browser.context.newPage();
  await again.goto(page.url());
  assert.equal(await again.locator('#message-table tbody tr').count(), 20);
  await again.close();
  await h.screenshot(page, 'messages-search');

  await Promise.all([page.waitForURL(/\/messages\/[0-9A-F]+\?topic=orders-created/), page.locator('#message-table a.msg-link').first().click()]);
  assert.equal(await page.locator('#fact-topic').innerText(), 'orders-created');
  assert.equal(await page.getAttribute('#body-kind', 'data-kind'), 'json');
  assert.equal(await page.getAttribute('#fact-crc .badge', 'data-crc'), 'crc-matches');
  await h.screenshot(page, 'messages-message');

  await Promise.all([page.waitForURL(/\/trace\?topic=orders-created/), page.click('#trace-link')]);
  await page.locator('svg#trace-timeline').waitFor();
  assert.ok((await page.locator('svg g.tl-consumer').count()) >= 1, 'a lane per consumer group');
  assert.ok((await page.locator('#trace-table tbody tr').count()) >= 3, 'a send and a delivery');
  await h.screenshot(page, 'messages-trace');
  h.assertNoProblems(assert, problems, 'search, message, trace');
});

test('select dead letters, resend them, read the results', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'operator');
  await page.goto(`${demo.url}/instances/${ordersId}/dlq`);
  await Promise.all([
    page.waitForURL(/group=GID_fraud-inventory-updated/),
    page.selectOption('#dlq-group', FAILING_GROUP).then(() => page.click('#group-form button[type=submit]')),
  ]);
  await page.locator('#dlq-table tbody tr').first().waitFor();
  // The counts panel loads itself.
  await page.locator('#dlq-counts-table').waitFor();
  assert.match(await page.locator('#dlq-counts-table tbody tr').first().innerText(), /inventory-updated/);
  // "Select the page" checks every box; two of them are kept.
  await page.check('#select-page');
  const boxes = page.locator('#dlq-table tbody input[name=id]');
  const total = await boxes.count();
  assert.equal(await page.locator('#dlq-table tbody input[name=id]:checked').count(), total);
  await page.uncheck('#select-page');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  const chosen = [await boxes.nth(0).getAttribute('value'), await boxes.nth(1).getAttribute('value')];
  await h.screenshot(page, 'dlq-list');

  await Promise.all([page.waitForURL(/\/dlq\/resend$/), page.click('#resend-selected')]);
  // Values sit in Unicode isolates inside sentences.
  const preview = (await page.locator('#resend-preview').innerText()).replace(/[\u2068\u2069]/g, '');
  assert.equal(preview, `Resend 2 messages of %DLQ%${FAILING_GROUP}?`);
  await h.screenshot(page, 'dlq-preview');
  // What a retried post would send again: the confirmation form exactly as submitted.
  const replay = await page.evaluate(() => {
    const form = document.getElementById('resend-form');
    return { action: form.action, body: new URLSearchParams(new FormData(form)).toString() };
  });
  await page.click('#resend-confirm');
  await page.locator('#resend-results').waitFor();
  const rows = page.locator('#resend-results tbody tr');
  assert.equal(await rows.count(), 2);
  for (let i = 0; i < 2; i += 1) {
    assert.equal(await rows.nth(i).getAttribute('data-outcome'), 'resent');
    assert.equal(await rows.nth(i).getAttribute('data-msg-id'), chosen[i]);
  }
  await h.screenshot(page, 'dlq-results');
  // The same confirmation posted again (a retried request) sends nothing.
  const outcomes = await page.evaluate(async ({ action, body }) => {
    const answer = await fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const html = new DOMParser().parseFromString(await answer.text(), 'text/html');
    return [...html.querySelectorAll('#resend-results tbody tr')].map((tr) => tr.dataset.outcome);
  }, replay);
  assert.deepEqual(outcomes, ['already-resent', 'already-resent']);
  h.assertNoProblems(assert, problems, 'resend');
});

test('dead letters export as JSON and CSV that parse', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'operator');
  await page.goto(`${demo.url}/instances/${ordersId}/dlq?group=${FAILING_GROUP}`);
  const boxes = page.locator('#dlq-table tbody input[name=id]');
  await boxes.nth(0).check();
  await boxes.nth(2).check();
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-selected-json')]);
  assert.equal(json.suggestedFilename(), 'dms-console-dead-letters.json');
  const rows = JSON.parse(await downloaded(json));
  assert.equal(rows.length, 2);
  assert.equal(rows[0].msg_id, await boxes.nth(0).getAttribute('value'));
  assert.equal(rows[0].origin_topic, 'inventory-updated');
  assert.equal(typeof rows[0].body, 'string');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('a.export-csv')]);
  assert.equal(csv.suggestedFilename(), 'dms-console-dead-letters.csv');
  const lines = (await downloaded(csv)).trim().split(/\r\n/);
  assert.deepEqual(lines[0].split(',').slice(0, 3), ['msg_id', 'uniq_key', 'topic']);
  const expected = Number((await page.locator('#list-count').innerText()).match(/of (\d+)/)[1]);
  assert.equal(lines.length - 1, expected, 'every match');
  h.assertNoProblems(assert, problems, 'exports');
});

test('bodies that are HTML render as inert text on every page', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  const bodies = [
    '<img src=x onerror=alert(1)>',
    '</pre><svg onload=alert(1)>',
    '<div hx-get="/logout" hx-trigger="load">',
  ];
  const sent = [];
  for (const body of bodies) {
    const reply = await h.dmsApi(demo, 'POST', `/v2/rocketmq/{project_id}/instances/${ordersId}/messages`, {
      body: { topic: 'audit-created', body, property_list: [{ name: 'KEYS', value: 'xss-probe' }] },
    });
    sent.push(reply.msg_id);
  }
  await h.signInAccount(page, demo, 'operator');
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const requests = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));

  await page.goto(`${demo.url}/instances/${ordersId}/messages?topic=audit-created&range=15m&key=xss-probe`);
  assert.equal(await page.locator('#message-table tbody tr').count(), 3);
  for (const body of bodies) {
    assert.ok((await page.locator('#message-table').innerText()).includes(body), `the search shows ${body} as text`);
  }
  for (const [i, id] of sent.entries()) {
    await page.goto(`${demo.url}/instances/${ordersId}/messages/${id}?topic=audit-created`);
    assert.equal(await page.locator('#body-text').innerText(), bodies[i]);
    assert.equal(await page.locator('#message-body img, #message-body svg, #message-body div[hx-get]').count(), 0);
  }
  // Anything that would fire on load (an image error, htmx's load trigger) has had its chance.
  await page.waitForLoadState('networkidle');
  assert.deepEqual(dialogs, [], 'no script ran');
  assert.deepEqual(requests.filter((r) => /\/logout|\/x$/.test(r)), [], 'no request was made');
  assert.ok(await page.locator('#whoami').isVisible(), 'still signed in');
  h.assertNoProblems(assert, problems, 'inert bodies');
});
