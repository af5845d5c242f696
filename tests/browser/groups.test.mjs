// Journey: consumer groups. The groups tab of the demo's 4.8.0 instance fills in its figures
// by itself and then sorts by lag; an operator creates a group, resets its offsets on a topic
// to the earliest message and sees its lag change; the dashboard's attention panel links the
// groups it names; a viewer sees the same pages without a single change control.

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

/** The lag of every row of the groups table, as shown. */
async function lags(page) {
  const values = await page.locator('#group-table td.lag').evaluateAll((cells) => cells.map((c) => c.dataset.lag));
  return values.map(Number);
}

test('the groups tab fills in every group\'s figures by itself, then sorts by lag', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'operator');
  await page.goto(`${demo.url}/instances/${instanceId}/groups?limit=50`);
  // The figures arrive without a reload: htmx asks for the list until every row is read.
  await page.evaluate(() => {
    window.__noReload = true;
  });
  await page.locator('#figures-status[data-complete="true"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#group-table td.pending').count(), 0);
  assert.equal(await page.evaluate(() => window.__noReload), true, 'filled in without a page load');
  const rows = await page.locator('#group-table tbody tr').count();
  assert.ok(rows >= 20, `the demo's groups are listed (${rows})`);
  assert.ok((await lags(page)).some((lag) => lag > 0), 'some demo groups lag');

  // Sorting by lag is offered now; twice sorts from the largest.
  await Promise.all([page.waitForURL(/sort=lag&dir=asc/), page.click('#sort-lag a')]);
  await Promise.all([page.waitForURL(/sort=lag&dir=desc/), page.click('#sort-lag a')]);
  const sorted = await lags(page);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), 'largest lag first');
  assert.equal(await page.locator('#sort-lag').getAttribute('aria-sort'), 'descending');
  await h.screenshot(page, 'groups-tab-sorted-by-lag');
  h.assertNoProblems(assert, problems, 'groups tab');
});

test('an operator creates a group, resets its offsets and the lag changes', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'operator');
  const topics = await h.dmsApi(demo, 'GET', `/v2/{project_id}/instances/${instanceId}/topics`, { query: { limit: 1 } });
  const topic = topics.topics[0].name;

  await page.goto(`${demo.url}/instances/${instanceId}/groups`);
  await Promise.all([page.waitForURL(/\/new-group$/), page.click('#new-group')]);
  await page.fill('#f-name', 'GID_browser-journey');
  await page.fill('#f-group_desc', 'created by the browser journey');
  await page.click('#preview-button');
  await page.locator('#change-preview').waitFor();
  await Promise.all([page.waitForURL(/\/groups\/GID_browser-journey$/), page.click('#confirm-button')]);
  assert.equal(await page.locator('#group h1').innerText(), 'GID_browser-journey');
  assert.equal(await page.locator('#group-no-topics').count(), 1, 'a new group consumes nothing yet');

  await Promise.all([page.waitForURL(/\/reset$/), page.click('#group-reset')]);
  await page.fill('#f-other_topic', topic);
  await page.check('input[name=to][value=earliest]');
  await page.click('#preview-button');
  const plan = page.locator(`.reset-plan[data-topic="${topic}"] .lag-change`);
  await plan.waitFor();
  const lagAfter = Number(await plan.getAttribute('data-lag-after'));
  assert.ok(lagAfter > 0, `the preview says what will be consumed (${lagAfter})`);
  // The button waits for the typed name (app.js arms it once htmx has swapped the form in).
  await page.waitForFunction(() => document.querySelector('#reset-button')?.disabled === true);
  await page.fill('#f-confirm', 'GID_browser-journey');
  assert.equal(await page.locator('#reset-button').isDisabled(), false);
  await page.click('#reset-button');
  await page.locator('.reset-result[data-outcome="done"]').waitFor();
  await h.screenshot(page, 'groups-reset-done');

  await Promise.all([page.waitForURL(/\/groups\/GID_browser-journey$/), page.click('#back-to-group')]);
  const lag = Number(await page.locator(`tr[data-topic="${topic}"] td.lag`).getAttribute('data-lag'));
  assert.ok(lag > 0, `the group now lags on ${topic} (${lag})`);
  assert.equal(Number(await page.locator('#total-lag').innerText()), lag);
  h.assertNoProblems(assert, problems, 'create and reset');
});

test('the dashboard links the groups its attention panel names', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'operator');
  await page.goto(`${demo.url}/instances/${instanceId}`);
  await h.dashboardLoaded(page);
  const link = page.locator('#lagging-groups a').first();
  const name = await link.innerText();
  await Promise.all([page.waitForURL(/\/groups\/[^/]+$/), link.click()]);
  assert.equal(await page.locator('#group h1').innerText(), name);
  h.assertNoProblems(assert, problems, 'attention links');
});

test('a viewer sees the groups pages without any change control', { timeout: 120_000 }, async () => {
  const viewer = await h.openBrowser();
  try {
    const { page, problems } = viewer;
    await h.signInAccount(page, demo, 'viewer');
    await page.goto(`${demo.url}/instances/${instanceId}/groups`);
    await page.locator('#figures-status[data-complete="true"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#new-group, #batch-form input[type=checkbox], #batch-edit, #batch-delete').count(), 0);
    const first = page.locator('#group-table tbody tr td:first-child a').first();
    await Promise.all([page.waitForURL(/\/groups\/[^/]+$/), first.click()]);
    assert.equal(await page.locator('#group-edit, #group-delete, #group-reset').count(), 0);
    assert.equal(await page.locator('main form[method=post]').count(), 0, 'no form that changes anything');
    await h.screenshot(page, 'groups-viewer-group-page');
    h.assertNoProblems(assert, problems, 'viewer');
  } finally {
    await viewer.close();
  }
});
