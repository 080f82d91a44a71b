// End-to-end: the release build, served on loopback, in headless Debian Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page loads, shows its title and cluster area, and stays on its origin', async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  await page.goto(server.url);
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
