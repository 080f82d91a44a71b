// End-to-end: the release build, served on loopback, in headless Debian Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const env = servedBrowser();

test('the page loads, shows its title and cluster area, and stays on its origin', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await page.goto(env.server.url);
  await page.waitForSelector('h1.title', { timeout: 10_000 });
  assert.equal(await page.title(), 'Raft Playground');
  assert.equal(await page.textContent('h1.title'), 'Raft Playground');
  assert.ok(await page.isVisible('section.cluster'), 'the cluster area is visible');
  await screenshot(page, 'page-loaded');
  assert.deepEqual(problems.pageErrors, [], 'no uncaught errors');
  assert.deepEqual(problems.failedRequests, [], 'every request succeeds');
  assert.deepEqual(problems.consoleErrors, [], 'no console errors');
  assert.deepEqual(problems.offOrigin, [], 'no request leaves the origin');
  await context.close();
});
