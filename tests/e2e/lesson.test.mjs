// End-to-end: a student takes the first lesson by clicking, against the release build. They open
// "Learn", start lesson 1, read, answer the prediction wrongly and see the run's truth, try to
// crash the leader in the exercise (a broken rule, refused with its name), solve it by pausing
// clocks and letting time run, read the explanation; a reload keeps their progress. A lesson
// also opens from `?lesson=N` and from a shared `#lesson=` link.
//
// Selectors: [data-testid=learn] (toolbar), .lesson-row[data-lesson=N] with
// [data-testid=lesson-progress] ("done/steps"), [data-testid=lesson] (the panel) with
// .step[data-step=K][data-kind=read|predict|do|explain], [data-testid=choice],
// [data-testid=reveal], [data-testid=goal-status][data-reached], [data-testid=lesson-note],
// [data-testid=lesson-next|lesson-back], [data-testid=show-me].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const env = servedBrowser();

/** Waits until the lesson's commands ran and the panel shows step `k` (from 0). */
async function atStep(page, k) {
  await page.waitForSelector(`[data-testid=lesson] .step[data-step="${k}"]`, { timeout: 15_000 });
  await page.waitForSelector('[data-testid=lesson] .lesson-busy', { state: 'detached', timeout: 15_000 });
}

async function next(page, k) {
  await page.click('[data-testid=lesson-next]');
  await atStep(page, k);
}

test('a student completes lesson 1 by clicking, and a reload keeps the progress', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  try {
    await page.goto(env.server.url + '?paused');
    await page.click('[data-testid=learn]');
    const row = page.locator('.lesson-row[data-lesson="1"]');
    assert.equal(await page.locator('.lesson-row').count(), 15, 'the whole course is listed');
    assert.equal(await row.locator('[data-testid=lesson-progress]').textContent(), '0/5');
    await row.locator('button').click();
    await atStep(page, 0);
    const panel = page.locator('[data-testid=lesson]');
    assert.match(await panel.textContent(), /Elections and terms/);
    assert.equal(await page.locator('g.node').count(), 5, "the lesson's cluster");

    // The prediction: the student picks node 1, the run makes node 5 the leader.
    await next(page, 1);
    assert.equal(await panel.locator('.step').getAttribute('data-kind'), 'predict');
    await page.locator('[data-testid=choice]').nth(1).click();
    await page.waitForSelector('[data-testid=reveal]', { timeout: 15_000 });
    const reveal = await page.textContent('[data-testid=reveal]');
    assert.match(reveal, /Not this time: the run made choice 1 true/);
    assert.match(await page.getAttribute('g.node[data-node="5"]', 'class'), /role-leader/);
    await screenshot(page, 'lesson-1-reveal');

    await next(page, 2);
    await next(page, 3);
    assert.equal(await panel.locator('.step').getAttribute('data-kind'), 'do');
    assert.match(await page.textContent('[data-testid=goal-status]'), /Not yet/);

    // Crashing the leader is against the exercise's rules: refused, and the panel says which.
    await page.click('g.node[data-node="5"]');
    await page.click("button[aria-label='crash node 5']");
    const note = await page.textContent('[data-testid=lesson-note]');
    assert.match(note, /without crashing or wiping a node/);
    assert.doesNotMatch(await page.getAttribute('g.node[data-node="5"]', 'class'), /crashed/);

    // Every clock but node 3's stops; time runs; node 3 times out and wins.
    for (const id of [5, 1, 2, 4]) {
      await page.click(`g.node[data-node="${id}"]`);
      await page.click(`button[aria-label='pause clock node ${id}']`);
    }
    await page.selectOption('[data-testid=speed]', '9'); // 10×
    await page.click('[data-testid=play]');
    await page.waitForSelector('[data-testid=goal-status][data-reached=true]', { timeout: 20_000 });
    await page.click('[data-testid=play]');
    assert.match(await page.getAttribute('g.node[data-node="3"]', 'class'), /role-leader/);
    await screenshot(page, 'lesson-1-goal-reached');

    await next(page, 4);
    assert.equal(await panel.locator('.step').getAttribute('data-kind'), 'explain');
    const marks = await panel.locator('.step-mark').evaluateAll((els) => els.map((e) => e.className));
    assert.deepEqual(
      marks.map((c) => c.split(' ')[1]),
      ['seen', 'wrong', 'seen', 'reached', 'seen'],
      'each step as the student did it',
    );

    // The progress survives a reload.
    await page.reload();
    await page.waitForSelector('h1.title');
    await page.click('[data-testid=learn]');
    assert.equal(await row.locator('[data-testid=lesson-progress]').textContent(), '5/5');
    assert.match(await row.getAttribute('class'), /complete/);
    await screenshot(page, 'lesson-list-after-lesson-1');
    assert.deepEqual(problems, { consoleErrors: [], pageErrors: [], offOrigin: [], failedRequests: [] });
  } finally {
    await context.close();
  }
});

test('?lesson=N opens lesson N, and a lesson of ones own travels in a link', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  try {
    await page.goto(env.server.url + '?lesson=9');
    await atStep(page, 0);
    assert.match(await page.textContent('[data-testid=lesson] h2'), /Lesson 9: PreVote/);
    assert.equal(await page.getAttribute('[data-testid=lesson-link]', 'href'), '?lesson=9');
    await screenshot(page, 'lesson-9-open');

    const own = 'title A lesson of my own\nseed 3\n\nsetup\n    cluster 3\n\nread\n    Three servers, no leader yet.\n';
    const code = Buffer.from(own).toString('base64url');
    await page.goto(env.server.url + '#lesson=' + code);
    await page.reload();
    await atStep(page, 0);
    assert.match(await page.textContent('[data-testid=lesson] h2'), /A lesson of my own/);
    assert.equal(await page.locator('g.node').count(), 3);
    assert.equal(await page.getAttribute('[data-testid=lesson-link]', 'href'), '#lesson=' + code);

    // A pasted lesson that does not parse says where.
    await page.click('[data-testid=learn]');
    await page.click('.own-lesson summary');
    await page.fill('#own-lesson-text', 'title Broken\nseed x\n');
    await page.click('.own-lesson button');
    assert.match(await page.textContent('.own-lesson [role=alert]'), /line 2/);

    // A damaged lesson link says so on arrival, in the page.
    await page.goto('about:blank');
    await page.goto(`${env.server.url}?paused#lesson=%%%`);
    await page.waitForSelector('.error-banner');
    assert.match(await page.textContent('.error-banner'), /the lesson in this link/);
    assert.deepEqual(problems, { consoleErrors: [], pageErrors: [], offOrigin: [], failedRequests: [] });
  } finally {
    await context.close();
  }
});
