// The console kit in a real browser: the language switch (and that it survives sign-out), the
// dark theme with WCAG AA contrast in both themes, the keyboard shortcuts and their help (`g m`
// and `g d` included), a list's CSV export, the instance switcher keeping the tab, and
// screenshots of the instance list and dashboard in both languages and both themes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as h from './harness.mjs';

let demo;
let browser;
let ids;

before(async () => {
  demo = await h.startDemo();
  ids = await h.ensureInstances(demo, ['orders-prod', 'billing-prod']);
  browser = await h.openBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** Chooses a preference in the header's menu (the page reloads with it). */
async function choose(page, select, value) {
  await page.evaluate(() => {
    window.__before = true;
  });
  await page.click('#preferences summary');
  await page.selectOption(select, value);
  // The choice posts itself; the page it comes back to is a new document.
  await page.waitForFunction(() => !window.__before && document.readyState === 'complete');
}

/**
 * Every visible text whose contrast against its background is below WCAG AA (4.5:1, or 3:1 for
 * large text). Disabled controls are exempt, as WCAG says.
 */
async function contrastFailures(page) {
  return page.evaluate(() => {
    const parse = (color) => {
      const m = color.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const luminance = ({ r, g, b }) => {
      const channel = (v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element) => {
      for (let e = element; e; e = e.parentElement) {
        const color = parse(getComputedStyle(e).backgroundColor);
        if (color && color.a > 0.5) return color;
      }
      return parse(getComputedStyle(document.documentElement).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 };
    };
    const failures = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent.trim() || !element) continue;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
      if (element.closest('[disabled], [aria-disabled="true"], dialog:not([open]), details:not([open]) > :not(summary)')) continue;
      const fg = parse(style.color);
      const bg = background(element);
      if (!fg) continue;
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const bold = parseInt(style.fontWeight, 10) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      if (ratio < (large ? 3 : 4.5)) {
        failures.push(`${ratio.toFixed(2)}: "${node.textContent.trim().slice(0, 40)}" (${style.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
      }
    }
    return failures;
  });
}

test('the language switch, dark theme, contrast and screenshots', { timeout: 180_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'admin');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');

  for (const theme of ['light', 'dark']) {
    await choose(page, '#pref-theme', theme);
    assert.equal(await page.getAttribute('html', 'data-theme'), theme);
    for (const lang of ['en', 'zh-CN']) {
      await choose(page, '#pref-lang', lang);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await page.goto(`${demo.url}/instances`);
      assert.deepEqual(await contrastFailures(page), [], `instance list, ${theme}, ${lang}`);
      await h.screenshot(page, `kit-instances-${lang}-${theme}`);
      await page.goto(`${demo.url}/instances/${ids['orders-prod']}`);
      await h.dashboardLoaded(page);
      assert.deepEqual(await contrastFailures(page), [], `dashboard, ${theme}, ${lang}`);
      await h.screenshot(page, `kit-dashboard-${lang}-${theme}`);
    }
  }
  // Dark really is dark.
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = background.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background, got ${background}`);

  // The page speaks Chinese now, down to the statuses.
  assert.equal(await page.locator('#instance-status').innerText(), '运行中');
  assert.equal(await page.locator('nav.sections a[href="/instances"]').innerText(), '实例');

  // The choice outlives the session: signing out keeps Chinese and dark.
  await Promise.all([page.waitForURL(/\/login/), page.click('#whoami form button[type=submit]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await page.locator('#login-form button[type=submit]').innerText(), '登录');

  // And back to English and the system theme, from the sign-in page itself.
  await choose(page, '#pref-lang', 'en');
  await choose(page, '#pref-theme', 'system');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('#login-form button[type=submit]').innerText(), 'Sign in');
  h.assertNoProblems(assert, problems, 'language and theme');
});

test('keyboard shortcuts: ? opens the help, / focuses the filter, g i goes to instances, g g to groups, Esc closes', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'admin');
  await page.goto(`${demo.url}/instances/${ids['orders-prod']}`);
  await h.dashboardLoaded(page);
  await page.keyboard.press('?');
  const help = page.locator('dialog#shortcuts');
  await help.waitFor({ state: 'visible' });
  assert.match(await help.innerText(), /Go to the instance's topics/);
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });

  // The instance shortcuts go to the current instance's pages.
  assert.equal(await page.getAttribute('body', 'data-instance'), `/instances/${ids['orders-prod']}`);
  await page.keyboard.press('g');
  await Promise.all([page.waitForURL(/\/instances$/), page.keyboard.press('i')]);
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name');
  // Typing in the filter is typing, not a shortcut.
  await page.keyboard.type('gi?');
  assert.equal(await page.inputValue('form.filters input[name=name]'), 'gi?');
  assert.equal(await help.isVisible(), false);
  // g g: the instance's consumer groups.
  await page.goto(`${demo.url}/instances/${ids['orders-prod']}`);
  await h.dashboardLoaded(page);
  await page.keyboard.press('g');
  await Promise.all([page.waitForURL(new RegExp(`/instances/${ids['orders-prod']}/groups$`)), page.keyboard.press('g')]);
  assert.equal(await page.locator('#groups h1').innerText(), 'Consumer groups');
  h.assertNoProblems(assert, problems, 'shortcuts');
});

test('g t on a dashboard goes to the instance\'s topics', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'admin');
  await page.goto(`${demo.url}/instances/${ids['orders-prod']}`);
  await h.dashboardLoaded(page);
  await page.keyboard.press('g');
  await Promise.all([page.waitForURL(`${demo.url}/instances/${ids['orders-prod']}/topics`), page.keyboard.press('t')]);
  assert.equal(await page.locator('#instance-tabs a[aria-current=page]').innerText(), 'Topics');
  assert.equal(await page.locator('#topics h1').innerText(), 'Topics');
  h.assertNoProblems(assert, problems, 'g t');
});

test('g m and g d go to the instance\'s messages and dead letters', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'admin');
  const base = `${demo.url}/instances/${ids['orders-prod']}`;
  await page.goto(base);
  await h.dashboardLoaded(page);
  await page.keyboard.press('g');
  await Promise.all([page.waitForURL(`${base}/messages`), page.keyboard.press('m')]);
  assert.equal(await page.locator('#instance-tabs a[aria-current=page]').innerText(), 'Messages');
  await page.keyboard.press('g');
  await Promise.all([page.waitForURL(`${base}/dlq`), page.keyboard.press('d')]);
  assert.equal(await page.locator('#instance-tabs a[aria-current=page]').innerText(), 'Dead letters');
  h.assertNoProblems(assert, problems, 'g m and g d');
});

test('the instance list downloads as CSV that parses, and the switcher keeps the tab', { timeout: 120_000 }, async () => {
  const { page, problems } = browser;
  await h.signInAccount(page, demo, 'admin');
  await page.goto(`${demo.url}/instances?name=prod`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.export-csv')]);
  assert.equal(download.suggestedFilename(), 'dms-console-instances.csv');
  const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const lines = text.trim().split(/\r\n/);
  assert.equal(lines[0].split(',')[0], 'instance_id');
  const names = lines.slice(1).map((line) => line.split(',')[1]);
  assert.ok(names.includes('orders-prod') && names.includes('billing-prod'), names.join());

  // The switcher goes to the same tab of another instance.
  const tabs = await page.goto(`${demo.url}/instances/${ids['orders-prod']}`).then(() => page.locator('#instance-tabs a').allInnerTexts());
  const tabLinks = page.locator('#instance-tabs a');
  const last = (await tabLinks.count()) - 1;
  const tabHref = await tabLinks.nth(last).getAttribute('href');
  await page.goto(`${demo.url}${tabHref}`);
  assert.equal(await page.locator('#instance-tabs a[aria-current=page]').innerText(), tabs[last]);
  await page.click('#instance-switcher summary');
  const suffix = tabHref.slice(`/instances/${ids['orders-prod']}`.length);
  await Promise.all([
    page.waitForURL(`${demo.url}/instances/${ids['billing-prod']}${suffix}`),
    page.click(`#instance-switcher a[href="/instances/${ids['billing-prod']}${suffix}"]`),
  ]);
  assert.equal(await page.locator('#instance-tabs a[aria-current=page]').innerText(), tabs[last]);
  assert.equal(await page.locator('#instance-switcher summary').innerText(), 'billing-prod');
  h.assertNoProblems(assert, problems, 'export and switcher');
});
