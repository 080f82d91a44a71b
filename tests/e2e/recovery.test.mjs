// End-to-end: what a person sees when the page hits a bug. The page has no known panic left, so
// the test asks for one through a global the page reads only for this purpose
// (`window.__RAFT_PLAYGROUND_TEST_PANIC__`, see web/src/panic.rs): the next animation frame panics
// with the cluster's driver borrowed, the worst moment for it.
//
// Expected: one banner with the panic's own message (not an echo such as "already borrowed"),
// the dead app made inert, no error after the first, and a "Restore the last good state" link
// that reloads the page and replays the session up to a moment before the bug.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot, clockMs } from './harness.mjs';

const env = servedBrowser();

test('a panic leaves one banner and an inert page, and Restore brings the session back', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await page.goto(`${env.server.url}?seed=11`);
  await page.waitForSelector('g.node.role-leader', { timeout: 20_000 });
  // Pause, crash node 2 by hand: a person's action the restored state must keep.
  await page.click('[data-testid=play]');
  await page.click('g.node[data-node="2"]');
  await page.click('button[aria-label="crash node 2"]');
  await page.waitForSelector('g.node[data-node="2"].crashed');
  const crashedAt = await clockMs(page);
  // Play a little, then ask for the panic.
  await page.click('[data-testid=play]');
  await page.waitForFunction((t) => {
    const c = document.querySelector('[data-testid=clock]').textContent;
    return Number(c.replace('t = ', '').replace(' s', '').replace('.', '')) > t + 300;
  }, crashedAt);
  await page.evaluate(() => {
    window.__RAFT_PLAYGROUND_TEST_PANIC__ = true;
  });
  await page.waitForSelector('#panic-banner', { timeout: 5_000 });
  const clockAtPanic = await clockMs(page);

  const banner = await page.textContent('#panic-banner');
  assert.match(banner, /requested by the page's end-to-end tests/, banner);
  assert.doesNotMatch(banner, /already borrowed/, banner);
  assert.ok(
    await page.evaluate(() => document.querySelector('.app').closest('[inert]') !== null),
    'the dead app is inert',
  );
  // Nothing in the dead app runs any more: no frame, no key, no click raises another error.
  const errorsAfterPanic = problems.pageErrors.length + problems.consoleErrors.length;
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press(' ');
  await page.mouse.click(300, 300);
  await page.waitForTimeout(500);
  assert.equal(
    problems.pageErrors.length + problems.consoleErrors.length,
    errorsAfterPanic,
    `no error after the first: ${JSON.stringify(problems)}`,
  );
  assert.equal(await clockMs(page), clockAtPanic, 'the dead page does not move');
  assert.ok(
    problems.consoleErrors.some((e) => e.includes('requested by the page')),
    'the panic is reported on the console for developers',
  );
  await screenshot(page, 'recovery-1-banner');

  // Restore: the page reloads and replays the session in slices.
  await page.evaluate(() => {
    window.__RAFT_PLAYGROUND_TEST_PANIC__ = false;
  });
  await Promise.all([page.waitForNavigation(), page.click('[data-testid=restore]')]);
  await page.waitForSelector('g.node[data-node="2"].crashed', { timeout: 20_000 });
  await page.waitForSelector('[data-testid=script-progress]', { state: 'detached', timeout: 20_000 });
  assert.equal(await page.$('#panic-banner'), null, 'a fresh page, no banner');
  assert.doesNotMatch(page.url(), /restore/, 'the restore is done once: a reload starts afresh');
  const restoredAt = await clockMs(page);
  assert.ok(
    restoredAt >= crashedAt && restoredAt <= clockAtPanic,
    `restored at ${restoredAt} ms, between the crash (${crashedAt}) and the panic (${clockAtPanic})`,
  );
  // The restored page works: it plays on, with its history behind it.
  assert.equal(await page.getAttribute('[data-testid=play]', 'aria-label'), 'Play');
  await page.click('[data-testid=play]');
  await page.waitForFunction((t) => {
    const c = document.querySelector('[data-testid=clock]').textContent;
    return Number(c.replace('t = ', '').replace(' s', '').replace('.', '')) > t + 200;
  }, restoredAt);
  await page.click('[data-testid=play]');
  await screenshot(page, 'recovery-2-restored');
  const position = await page.textContent('[data-testid=timeline-position]');
  assert.match(position, /event \d+ \/ \d+/, position);
  const errorsBefore = problems.pageErrors.length + problems.consoleErrors.length;
  assert.equal(errorsBefore, errorsAfterPanic, `no error after the restore: ${JSON.stringify(problems)}`);
  assert.deepEqual(problems.offOrigin, []);
  await context.close();
});
