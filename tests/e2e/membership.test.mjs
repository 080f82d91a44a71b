// End-to-end: membership changes from the page, against the release build. A node is added as
// a voter (it starts empty and catches up), then removed again; the configuration shown in the
// network tab ([data-testid=config]) follows each change once the leader has applied it.
// Selectors: [data-testid=tab-network], [data-testid=add-voter], [data-testid=config],
// g.node[data-node=N] (click to select), button[aria-label="remove from the cluster node N"].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const env = servedBrowser();

/** Polls `done()` while the page plays at 1×, up to `timeout` ms of real time. */
async function waitPlaying(page, done, timeout = 20_000) {
  const start = Date.now();
  while (!(await done())) {
    assert.ok(Date.now() - start < timeout, 'timed out waiting for the cluster');
    await page.waitForTimeout(100);
  }
}

const configText = (page) => page.textContent('[data-testid=config] code');

test('a node is added as a voter, catches up, and is removed again', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await page.goto(env.server.url);
  await page.selectOption('[data-testid=speed]', '6'); // 1×
  await page.waitForSelector('g.node.role-leader', { timeout: 20_000 });
  await page.click('[data-testid=tab-network]');
  assert.match(await configText(page), /voters=\(1 2 3 4 5\)/);

  await page.click('[data-testid=add-voter]');
  await page.waitForSelector('g.node[data-node="6"]', { timeout: 10_000 });
  await waitPlaying(page, async () => /voters=\(1 2 3 4 5 6\)/.test(await configText(page)));
  // The newcomer catches up: its log row gets applied entries.
  await waitPlaying(page, async () => (await page.locator('[data-log-node="6"] .cell.applied').count()) > 0);
  await screenshot(page, 'membership-01-node-added');

  await page.locator('g.node[data-node="6"]').first().dispatchEvent('click');
  await page.click('button[aria-label="remove from the cluster node 6"]');
  await waitPlaying(page, async () => /voters=\(1 2 3 4 5\)(?!\s*&&)/.test(await configText(page)));
  await screenshot(page, 'membership-02-node-removed');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.offOrigin, []);
  await context.close();
});

test('a joint configuration is drawn with both quorums', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await page.goto(env.server.url);
  await page.waitForSelector('g.node[data-node="1"]');
  await page.click('[data-testid=tab-script]');
  await page.waitForSelector('textarea.sp-textarea');
  await page.fill(
    'textarea.sp-textarea',
    'cluster 3\nrun-until leader max=5s\nreplace 3 with 4 transition=explicit\nrun 2s\nexpect joint\n',
  );
  await page.click('button.sp-run');
  await page.waitForSelector('.sp-result.passed', { timeout: 20_000 });
  await page.waitForSelector('[data-testid=joint-caption]');
  const caption = await page.textContent('[data-testid=joint-caption]');
  assert.match(caption, /old voters \(1 2 3\) needs 2/);
  assert.match(caption, /new voters \(1 2 4\) needs 2/);
  // Node 3 votes only in the old half, node 4 only in the new one, 1 and 2 in both.
  assert.equal(await page.locator('g.node[data-node="3"] .quorum-ring.old').count(), 1);
  assert.equal(await page.locator('g.node[data-node="3"] .quorum-ring.new').count(), 0);
  assert.equal(await page.locator('g.node[data-node="4"] .quorum-ring.new').count(), 1);
  assert.equal(await page.locator('g.node[data-node="4"] .quorum-ring.old').count(), 0);
  assert.equal(await page.locator('g.node[data-node="1"] .quorum-ring').count(), 2);
  await screenshot(page, 'membership-03-joint');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});
