// Journey 2: a viewer sees no control that changes an instance; an admin sees them. The
// viewer's browser prefers a dark colour scheme, so this journey also checks dark mode.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let instanceId;

before(async () => {
  demo = await h.startDemo();
  ({ 'orders-prod': instanceId } = await h.ensureInstances(demo, ['orders-prod']));
});

after(async () => {
  await demo?.stop();
});

/** The mutating controls visible on the page. */
async function mutatingControls(page) {
  return page
    .locator('main a, main button, main form[method=post]')
    .filter({ hasText: /^(Edit|Restart|Delete…?)$/ })
    .count();
}

test('a viewer sees no mutating controls on the dashboard (dark mode)', { timeout: 120_000 }, async () => {
  const browser = await h.openBrowser({ colorScheme: 'dark' });
  try {
    const { page, problems } = browser;
    await h.signInAccount(page, demo, 'viewer');
    assert.equal(await page.locator('#whoami .role').getAttribute('data-role'), 'viewer');
    await page.goto(`${demo.url}/instances/${instanceId}`);
    await h.dashboardLoaded(page);
    assert.equal(await page.locator('#instance-actions').count(), 0, '#instance-actions is absent');
    assert.equal(await mutatingControls(page), 0, 'no Edit, Restart or Delete control');
    assert.equal(await page.locator('form[action$="/restart"], a[href$="/edit"], a[href$="/delete"]').count(), 0);
    // No audit log for a viewer either.
    assert.equal(await page.locator('nav.sections a[href="/audit"]').count(), 0);

    // Dark mode: the page follows the browser's preference.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g).map(Number);
    assert.ok(0.2126 * r + 0.7152 * g + 0.0722 * b < 60, `dark background, got ${background}`);

    // Typing the URL of a change does not help: the server refuses it with a page, not a form.
    const edit = await page.goto(`${demo.url}/instances/${instanceId}/edit`);
    assert.equal(edit.status(), 403);
    assert.equal(await page.locator('form[action$="/edit"]').count(), 0);
    await page.goto(`${demo.url}/instances/${instanceId}`);
    await h.dashboardLoaded(page);

    await h.screenshot(page, 'journey2-viewer-dashboard-dark');
    // The 403 above is expected; Chromium reports it as a failed document load.
    h.assertNoProblems(
      assert,
      problems.filter((p) => !/status of 403/.test(p)),
      'journey 2 (viewer)',
    );
  } finally {
    await browser.close();
  }
});

test('an admin sees Edit, Restart and Delete on the dashboard', { timeout: 120_000 }, async () => {
  const browser = await h.openBrowser();
  try {
    const { page, problems } = browser;
    await h.signInAccount(page, demo, 'admin');
    await page.goto(`${demo.url}/instances/${instanceId}`);
    await h.dashboardLoaded(page);
    const actions = page.locator('#instance-actions');
    assert.ok(await actions.isVisible(), '#instance-actions is shown');
    assert.ok(await actions.locator('a', { hasText: 'Edit' }).isVisible());
    assert.ok(await actions.locator('#restart-button').isEnabled());
    assert.ok(await actions.locator('a', { hasText: 'Delete' }).isVisible());
    assert.ok(await page.locator('nav.sections a[href="/audit"]').isVisible());
    await h.screenshot(page, 'journey2-admin-dashboard');
    h.assertNoProblems(assert, problems, 'journey 2 (admin)');
  } finally {
    await browser.close();
  }
});
