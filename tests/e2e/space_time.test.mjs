// End-to-end: the space-time diagram and the Ready history, in Chromium.
//
// Selectors: [data-testid=space-time-toggle] in the toolbar; the diagram
// [data-testid=space-time] with line.st-arrow[data-message][data-type][data-send][data-end?]
// (class delivered | in-flight | lost, a lost one under a path.st-cross with the same
// data-message), line.st-dot[data-event][data-node][data-kind] for marks, div.st-tip,
// line.st-cursor, text.st-tick-label, [data-testid=st-follow], [data-testid=st-compare],
// [data-testid=st-divergence], [data-testid=st-export]; in the node inspector
// [data-testid=last-ready] and ol.ready-list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { sharedPage, screenshot, clockMs } from './harness.mjs';

const env = sharedPage('?paused');

const playing = async () => (await env.page.getAttribute('[data-testid=play]', 'aria-label')) === 'Pause';

/** Plays at 1× for `ms` of virtual time, then pauses. */
async function runFor(ms) {
  await env.page.selectOption('[data-testid=speed]', '6');
  const target = (await clockMs(env.page)) + ms;
  if (!(await playing())) await env.page.click('[data-testid=play]');
  await env.page.waitForFunction(
    (t) => {
      const c = document.querySelector('[data-testid=clock]').textContent;
      return Number(c.replace('t = ', '').replace(' s', '').replace('.', '')) >= t;
    },
    target,
    { timeout: 20_000 },
  );
  await env.page.click('[data-testid=play]');
}

const arrows = (extra = '') => env.page.locator(`[data-testid=space-time] line.st-arrow${extra}`);
/** Where the cursor is drawn, in pixels across the env.page. */
const cursorX = async () => Math.round((await env.page.locator('line.st-cursor').boundingBox()).x);

test('the diagram opens, and arrows appear as the cluster runs', async () => {
  await env.page.click('[data-testid=space-time-toggle]');
  await env.page.waitForSelector('[data-testid=space-time]');
  assert.equal(await env.page.getAttribute('[data-testid=space-time-toggle]', 'aria-pressed'), 'true');
  assert.equal(await env.page.locator('[data-testid=space-time] text.st-lane-label').count(), 5, 'a lane per node');
  await runFor(1500);
  await env.page.waitForSelector('g.node.role-leader');
  const first = await arrows().count();
  assert.ok(first > 10, `an election and heartbeats drawn: ${first}`);
  // Zoomed out to 5 s, the election is in view.
  await env.page.click('button[aria-label="Zoom out"]');
  await env.page.click('button[aria-label="Zoom out"]');
  assert.equal(await env.page.textContent('[data-testid=st-span]'), '5 s');
  await env.page.waitForSelector('line.st-arrow[data-type=MsgVote]');
  const leader = await env.page.getAttribute('g.node.role-leader', 'data-node');
  const mark = env.page.locator(`line.st-dot.kind-role[data-node="${leader}"]`).last();
  await mark.dispatchEvent('mousemove');
  assert.match(await env.page.textContent('.st-tip'), new RegExp(`${leader} becomes leader at term 1`));
  await env.page.click('button[aria-label="Zoom in"]');
  await env.page.click('button[aria-label="Zoom in"]');
  assert.equal(await env.page.textContent('[data-testid=st-span]'), '1 s');
  // Each arrow names its message and the events it spans.
  const a = arrows('.delivered').first();
  assert.ok(Number(await a.getAttribute('data-end')) > Number(await a.getAttribute('data-send')));
  const sends = await arrows().evaluateAll((gs) => gs.map((g) => Number(g.dataset.send)));
  await runFor(300);
  const later = await arrows().evaluateAll((gs) => gs.map((g) => Number(g.dataset.send)));
  assert.ok(Math.max(...later) > Math.max(...sends), 'new messages keep coming');
  await screenshot(env.page, 'space-time-1-running');
});

test('clicking a delivered arrow goes to the moment it was on its way and selects it', async () => {
  const a = arrows('.delivered[data-type=MsgHeartbeat]').last();
  const id = await a.getAttribute('data-message');
  const end = Number(await a.getAttribute('data-end'));
  await a.dispatchEvent('click');
  await env.page.waitForSelector('[data-testid=message-inspector]');
  assert.equal(await env.page.textContent('[data-testid=timeline-position]').then((t) => Number(t.split(' ')[1])), end);
  assert.match(await env.page.textContent('[data-testid=message-inspector] pre.describe'), /MsgHeartbeat/);
  await env.page.waitForSelector(`line.st-arrow.selected.in-flight[data-message="${id}"]`);
  await env.page.click('[data-testid=back-to-present]');
});

test('a dropped message ends in a cross where it was lost', async () => {
  // One step at a time until a message is in flight, then drop it from the inspector.
  let inFlight = 0;
  for (let i = 0; i < 30 && inFlight === 0; i++) {
    await env.page.click('button[aria-label="Step one tick"]');
    inFlight = await arrows('.in-flight').count();
  }
  assert.ok(inFlight > 0, 'something in flight');
  const a = arrows('.in-flight').first();
  const id = await a.getAttribute('data-message');
  await a.dispatchEvent('click');
  await env.page.click(`button[aria-label='Drop message ${id}']`);
  const lost = env.page.locator(`line.st-arrow.lost[data-message="${id}"]`);
  await lost.waitFor();
  assert.equal(await env.page.locator(`path.st-cross[data-message="${id}"]`).count(), 1);
  await lost.dispatchEvent('mousemove');
  assert.match(await env.page.textContent('.st-tip'), /dropped by hand/);
});

test('scrubbing moves the cursor, and the window follows it', async () => {
  // Following: the window scrolls with the cursor (the axis changes, the cursor stays put).
  const labels = async () => env.page.locator('text.st-tick-label').allTextContents();
  const max = Number(await env.page.getAttribute('[data-testid=timeline]', 'max'));
  const x0 = await cursorX();
  const axis0 = await labels();
  const scrub = (v) =>
    env.page.$eval('[data-testid=timeline]', (el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, v);
  await scrub(Math.floor(max * 0.8));
  await env.page.waitForSelector('[data-testid=past-note]');
  await env.page.waitForFunction((a) => [...document.querySelectorAll('text.st-tick-label')].map((t) => t.textContent).join() !== a, axis0.join());
  assert.equal(await cursorX(), x0);
  // Not following: the window stays, and the cursor moves back across it.
  await env.page.click('[data-testid=st-follow]');
  assert.equal(await env.page.getAttribute('[data-testid=st-follow]', 'aria-pressed'), 'false');
  const x1 = await cursorX();
  await scrub(Math.floor(max * 0.8) - 40);
  await env.page.waitForFunction((x) => document.querySelector('line.st-cursor')?.getBoundingClientRect().x < x - 1, x1);
  await env.page.click('[data-testid=st-follow]');
  await env.page.click('[data-testid=back-to-present]');
});

test('a follower on automatic shows its last Ready whole, and its recent ones', async () => {
  const leader = await env.page.getAttribute('g.node.role-leader', 'data-node');
  const follower = ['1', '2', '3', '4', '5'].find((n) => n !== leader);
  await env.page.locator(`g.node[data-node="${follower}"]`).dispatchEvent('click');
  const last = env.page.locator('[data-testid=node-inspector] [data-testid=last-ready]');
  await last.waitFor();
  const text = await last.textContent();
  for (const field of ['HardState', 'Entries', 'Messages', 'CommittedEntries']) assert.match(text, new RegExp(field));
  assert.match(text, new RegExp(`${follower}->${leader} MsgHeartbeatResp|${follower}->${leader} MsgAppResp`), text);
  const lines = env.page.locator('[data-testid=node-inspector] ol.ready-list li');
  assert.ok((await lines.count()) >= 3);
  assert.match(await lines.first().textContent(), /Advance \d+ms/);
  await screenshot(env.page, 'space-time-2-ready-history');
});

test('filters hide a kind of message, and the SVG export holds what is drawn', async () => {
  await env.page.click('.st-filter summary');
  await env.page.uncheck('.st-filter input[data-kind=MsgHeartbeat]');
  await env.page.waitForFunction(() => !document.querySelector('line.st-arrow[data-type=MsgHeartbeat]'));
  assert.ok((await arrows().count()) > 0, 'the rest stays');
  await env.page.check('.st-filter input[data-kind=MsgHeartbeat]');
  await env.page.click('.st-filter summary');
  const [download] = await Promise.all([env.page.waitForEvent('download'), env.page.click('[data-testid=st-export]')]);
  assert.equal(download.suggestedFilename(), 'space-time.svg');
  const svg = await readFile(await download.path(), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const drawn = await arrows().count();
  assert.equal(svg.match(/class="st-arrow /g).length, drawn);
});

test('after a fork, the abandoned branch is drawn under the present with the first difference', async () => {
  await runFor(500);
  const max = Number(await env.page.getAttribute('[data-testid=timeline]', 'max'));
  await env.page.$eval('[data-testid=timeline]', (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, max - 60);
  await env.page.waitForSelector('[data-testid=past-note]');
  const leader = await env.page.getAttribute('g.node.role-leader', 'data-node');
  await env.page.locator(`g.node[data-node="${leader}"]`).dispatchEvent('click');
  await env.page.click(`button[aria-label="crash node ${leader}"]`);
  await env.page.waitForSelector('[data-testid=forks]');
  await runFor(300);
  await env.page.waitForSelector('[data-testid=st-compare]');
  assert.ok((await env.page.locator('line.st-arrow[data-branch]').count()) > 0, 'the branch has its arrows');
  assert.match(await env.page.textContent('text.st-caption'), /abandoned branch/);
  assert.match(await env.page.textContent('[data-testid=st-divergence]'), new RegExp(`here: ${leader} crashes`));
  assert.equal(await env.page.locator('line.st-diverge').count(), 2, 'marked in both');
  await screenshot(env.page, 'space-time-3-branches');
  await env.page.uncheck('[data-testid=st-compare]');
  await env.page.waitForFunction(() => !document.querySelector('line.st-arrow[data-branch]'));
  assert.deepEqual(env.problems, { consoleErrors: [], pageErrors: [], offOrigin: [], failedRequests: [] });
});

test('zoomed out over thousands of messages, arrows are drawn in bulk and the pointer still finds one', async () => {
  const page = env.page;
  await page.goto('about:blank');
  await page.goto(env.server.url + '?preset=heavy');
  await page.selectOption('[data-testid=speed]', '6');
  await page.waitForSelector('g.node.role-leader', { timeout: 20_000 });
  await page.click('[data-testid=space-time-toggle]');
  for (let i = 0; i < 3; i++) await page.click('button[aria-label="Zoom out"]');
  assert.equal(await page.textContent('[data-testid=st-span]'), '10 s');
  await page.waitForTimeout(5000);
  await page.click('[data-testid=play]');
  assert.equal(await page.locator('line.st-arrow').count(), 0, 'no arrow is an element of its own');
  assert.ok((await page.locator('path.st-arrow').count()) > 0);
  // Where lane n1 meets the traffic, a real pointer finds the arrow under it.
  const svg = await page.locator('svg.st-svg').boundingBox();
  const lane = await page.locator('line.st-lane').first().boundingBox();
  let tip = '';
  for (let dx = 0; dx < 60 && !tip; dx += 3) {
    await page.mouse.move(svg.x + svg.width * 0.6 + dx, lane.y);
    tip = (await page.locator('.st-tip:not([hidden])').count()) ? await page.textContent('.st-tip') : '';
  }
  assert.match(tip, /^Msg\w+ \d→\d term \d+ .*: sent at \d+ ms/);
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForSelector('[data-testid=message-inspector]');
  assert.match(await page.textContent('[data-testid=message-inspector] pre.describe'), /Msg/);
});

test('a lesson that asks for it opens with the diagram shown', async () => {
  await env.page.goto('about:blank');
  await env.page.goto(env.server.url + '?lesson=8');
  await env.page.waitForSelector('[data-testid=lesson]');
  await env.page.waitForSelector('[data-testid=space-time]');
  assert.equal(await env.page.getAttribute('[data-testid=space-time-toggle]', 'aria-pressed'), 'true');
  await env.page.goto(env.server.url + '?lesson=1');
  await env.page.waitForSelector('[data-testid=lesson]');
  assert.equal(await env.page.locator('[data-testid=space-time]').count(), 0, 'lesson 1 does not ask for it');
});
