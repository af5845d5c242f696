// Journey 3: htmx behaviour. Filtering the instance list swaps the table in place and pushes
// the URL; going back restores the unfiltered list; when the session has gone, an htmx
// request sends the whole browser to sign-in (the sign-in form never lands inside a panel).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let browser;

before(async () => {
  demo = await h.startDemo();
  await h.ensureInstances(demo, ['orders-prod', 'billing-test']);
  browser = await h.openBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** The instance names in the table. */
async function names(page) {
  return (await page.locator('#instance-table tbody tr td:first-child a').allInnerTexts()).sort();
}

test('filtering by name swaps the table without a reload and pushes the URL', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'operator');
  // The demo's three instances and the one this test added.
  const all = ['analytics-staging', 'billing-test', 'orders-prod', 'payments-v5'];
  assert.deepEqual(await names(page), all);

  // A marker on window survives an htmx swap but not a page load.
  await page.evaluate(() => {
    window.__noReload = true;
  });
  let loads = 0;
  const countLoad = () => {
    loads += 1;
  };
  page.on('domcontentloaded', countLoad);

  await page.fill('form.filters input[name=name]', 'billing');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/instances?') && r.request().headers()['hx-request'] === 'true'),
    page.click('form.filters button[type=submit]'),
  ]);
  assert.equal(response.status(), 200);
  await page.waitForURL(/\/instances\?name=billing/);
  await h.waitFor(async () => (await names(page)).join() === 'billing-test', 'the filtered table', { timeoutMs: 5_000 });
  assert.deepEqual(await names(page), ['billing-test']);
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
  assert.equal(loads, 0, 'no document was loaded');
  page.off('domcontentloaded', countLoad);
  assert.equal(await page.locator('#instances').count(), 1, 'the section was swapped, not nested');
  assert.equal(await page.locator('header.topbar').count(), 1, 'the layout was not swapped in again');
  assert.equal(await page.inputValue('form.filters input[name=name]'), 'billing');
  assert.match(await page.locator('#list-count').innerText(), /of 1$/);

  // Back restores the unfiltered list (htmx refetches it: the history cache is off).
  await page.goBack();
  await page.waitForURL(/\/instances$/);
  await h.waitFor(async () => (await names(page)).join() === all.join(), 'the unfiltered table', { timeoutMs: 5_000 });
  assert.equal(await page.locator('header.topbar').count(), 1);
  assert.equal(await page.locator('#instances').count(), 1);

  await h.screenshot(page, 'journey3-filtered-back');
  h.assertNoProblems(assert, problems, 'journey 3 (filter)');
});

/** Deletes the browser's session cookie, as if the session had expired. */
async function loseSession(context) {
  const cookie = await h.sessionCookie(context);
  assert.ok(cookie, 'signed in');
  await context.clearCookies({ name: cookie.name });
}

/** Checks that the page is the sign-in page, loaded whole. */
async function assertWholeSignInPage(page) {
  await page.waitForURL(/\/login$/);
  await page.locator('#login-form').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), undefined, 'a full page load happened');
  assert.equal(await page.locator('#instances, #edit-instance, .panel').count(), 0, 'no panel is left around the form');
  assert.equal(await page.locator('#login-form').count(), 1);
  assert.equal(await page.locator('main#main > section#login > #login-form').count(), 1, 'the form is the page');
  assert.equal(await page.title(), 'Sign in · dms-console');
}

test('an htmx request after the session has gone sends the browser to sign-in', { timeout: 120_000 }, async () => {
  const { page, context, problems } = browser;
  await page.goto(`${demo.url}/instances`);
  await page.locator('#instance-table').waitFor();
  await page.evaluate(() => {
    window.__noReload = true;
  });
  await loseSession(context);

  // An htmx GET (the list filter).
  await page.fill('form.filters input[name=name]', 'orders');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/instances?') && r.request().headers()['hx-request'] === 'true'),
    page.click('form.filters button[type=submit]'),
  ]);
  assert.equal(response.headers()['hx-redirect'], '/login');
  await assertWholeSignInPage(page);

  // An htmx POST (the edit form) carrying the old page's CSRF token.
  await h.signInAccount(page, demo, 'admin');
  const id = await page.locator('#instance-table tbody tr').first().getAttribute('data-instance-id');
  await page.goto(`${demo.url}/instances/${id}/edit`);
  await page.locator('#edit-instance form').waitFor();
  await page.evaluate(() => {
    window.__noReload = true;
  });
  await loseSession(context);
  await page.fill('#edit-instance textarea[name=description]', 'never saved');
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/edit')),
    page.click('#edit-instance button[type=submit]'),
  ]);
  assert.equal(post.headers()['hx-redirect'], '/login');
  await assertWholeSignInPage(page);
  const [instance] = (await h.listInstances(demo)).filter((i) => i.instance_id === id);
  assert.notEqual(instance.description, 'never saved', 'nothing was changed');

  await h.screenshot(page, 'journey3-session-expired');
  h.assertNoProblems(assert, problems, 'journey 3 (session expiry)');
});
