// End-to-end: asynchronous storage writes in the page. The built-in scenario (a leader commits
// before its own append thread has written the entry) runs and passes; then, by hand, a write
// on the leader waits in its append thread — drawn beside the node and listed in the inspector —
// until the learner finishes it.
//
// Selectors: [data-testid=storage-threads] in the node inspector, with
// [data-testid=append-thread|apply-thread][data-queued=N] and buttons "hand out the Ready of
// node N", "process the append thread of node N"; on the diagram g.threads-badge[data-append].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const env = servedBrowser();

test('the async scenario runs, and a write waits in the append thread until finished by hand', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  try {
    await page.goto(env.server.url + '?paused');
    await page.click('[data-testid=tab-script]');
    await page.waitForSelector('textarea.sp-textarea');
    const scenario = page.locator('select[aria-label="Built-in scenario"]');
    const label = (await scenario.locator('option').allTextContents()).find((t) => /Asynchronous storage writes/.test(t));
    assert.ok(label, 'the library lists the async scenario');
    await scenario.selectOption({ label });
    await page.click('button.sp-open');
    await page.waitForSelector('.sp-notice:has-text("Opened the scenario")');
    await page.click('button.sp-run');
    await page.waitForSelector('.sp-result', { timeout: 20_000 });
    assert.ok(await page.isVisible('.sp-result.passed'), await page.textContent('.sp-result'));

    await page.click('g.node[data-node="1"]');
    const threads = page.locator('[data-testid=storage-threads]');
    await threads.waitFor();
    assert.equal(await page.locator('[data-testid=node-inspector] .ready-head h3').first().textContent(), 'Storage threads');
    // By hand: the leader's Readys and threads wait for the learner.
    await threads.locator('label.switch').click();
    await page.waitForSelector("button[aria-label='hand out the Ready of node 1']");
    await page.click('[data-testid=tab-clients]');
    await page.selectOption('[data-testid=client-node]', '1');
    await page.fill('[data-testid=client-key]', 'y');
    await page.fill('[data-testid=client-value]', '7');
    await page.click('[data-testid=client-send]');
    await page.click("button[aria-label='hand out the Ready of node 1']");
    await page.waitForSelector('[data-testid=append-thread][data-queued="1"]');
    assert.equal(await page.getAttribute('g.threads-badge >> nth=0', 'data-append'), '1');
    assert.match(await page.textContent('[data-testid=append-thread]'), /MsgStorageAppendResp/);
    await screenshot(page, 'async-append-waiting');
    await page.click("button[aria-label='process the append thread of node 1']");
    await page.waitForSelector('[data-testid=append-thread][data-queued="0"]');
    assert.deepEqual(problems, { consoleErrors: [], pageErrors: [], offOrigin: [], failedRequests: [] });
  } finally {
    await context.close();
  }
});
