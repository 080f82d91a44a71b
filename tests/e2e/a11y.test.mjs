// End-to-end: a page everyone can use.
//   - axe-core (npm, injected into the page) over the main states finds no serious or critical
//     violation: running, a node selected, a message selected, each dock tab, the help, the list
//     of lessons, a lesson open with its prediction revealed, the space-time diagram, the past;
//   - every control is reached by Tab, in the order of the page (no positive tabindex, each
//     stop after the one before it in the document), and works from the keyboard;
//   - the palette (read from the page's own CSS variables) stays distinguishable with
//     protanopia, deuteranopia and tritanopia (see palette.mjs for the method).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { sharedPage, screenshot } from './harness.mjs';
import { closestPairs } from './palette.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const env = sharedPage('?paused');

/** Runs axe over the page; returns the serious and critical violations, described. */
async function axe(label) {
  const page = env.page;
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    })),
  );
  const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of found.filter((x) => !bad.includes(x))) console.log(`# ${label}: ${v.impact} ${v.id} at ${v.where}`);
  return bad.map((v) => `${label}: ${v.impact} ${v.id} at ${v.where.join(', ')}`);
}

test('axe finds no serious or critical violation in the main states', async () => {
  const page = env.page;
  await page.waitForSelector('g.node');
  const bad = [];
  bad.push(...(await axe('paused on arrival')));
  await page.click('[data-testid=play]');
  await page.waitForSelector('g.node.role-leader', { timeout: 20_000 });
  bad.push(...(await axe('running')));
  await page.click('[data-testid=play]');
  await page.locator('g.node[data-node="2"]').dispatchEvent('click');
  bad.push(...(await axe('a node selected')));
  const msg = page.locator('.msg-list button.msg').first();
  if (await msg.count()) {
    await msg.dispatchEvent('click');
    await page.waitForSelector('[data-testid=message-inspector]');
    bad.push(...(await axe('a message selected')));
  }
  for (const tab of ['clients', 'network', 'script', 'events']) {
    await page.click(`[data-testid=tab-${tab}]`);
    bad.push(...(await axe(`the ${tab} tab`)));
  }
  await page.click('[data-testid=space-time-toggle]');
  await page.waitForSelector('[data-testid=space-time] line.st-arrow');
  bad.push(...(await axe('the space-time diagram')));
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('[data-testid=past-note]');
  bad.push(...(await axe('the past')));
  await page.click('[data-testid=back-to-present]');
  await page.keyboard.press('?');
  await page.waitForSelector('[role=dialog]');
  bad.push(...(await axe('the help')));
  await page.keyboard.press('Escape');
  await page.click('[data-testid=learn]');
  bad.push(...(await axe('the list of lessons')));
  await page.goto(env.server.url + '?lesson=1');
  await page.waitForSelector('[data-testid=lesson]');
  bad.push(...(await axe('a lesson open')));
  await page.click('[data-testid=lesson-next]');
  await page.locator('[data-testid=choice]').first().click();
  await page.click('[data-testid=reveal]');
  await page.waitForSelector('[data-testid=lesson] .reveal, [data-testid=lesson] [data-testid=lesson-note]', { timeout: 20_000 }).catch(() => {});
  bad.push(...(await axe('a prediction revealed')));
  await screenshot(page, 'a11y-lesson');
  assert.deepEqual(bad, []);
});

test('Tab reaches every control in the order of the page, and the keyboard works them', async () => {
  const page = env.page;
  await page.goto(env.server.url + '?paused');
  await page.waitForSelector('g.node');
  assert.equal(await page.locator('[tabindex]:not([tabindex="0"]):not([tabindex="-1"])').count(), 0, 'no positive tabindex');
  // Every control a person can use, as the page lists them.
  const controls = await page.evaluate(() => {
    const sel = 'button, select, input, textarea, a[href], summary, [tabindex="0"]';
    return [...document.querySelectorAll(sel)]
      .filter((el) => !el.disabled && el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
      .filter((el) => !el.closest('details:not([open]) > :not(summary)'))
      .length;
  });
  assert.ok(controls > 30, `the page has its controls: ${controls}`);
  await page.evaluate(() => document.activeElement?.blur());
  const seen = [];
  for (let i = 0; i < controls + 5; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      window.__stops = window.__stops ?? [];
      const prev = window.__stops.at(-1);
      const after = !prev || !!(prev.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
      window.__stops.push(el);
      return { after, what: el.getAttribute('aria-label') || el.getAttribute('data-testid') || el.textContent.trim().slice(0, 30) };
    });
    if (!stop) break;
    if (seen.length && !stop.after) break; // wrapped around to the start
    seen.push(stop.what);
  }
  assert.ok(seen.length >= controls - 2, `Tab stopped at ${seen.length} of ${controls} controls: ${seen.join(' | ')}`);
  // The toolbar comes first, the diagram's nodes before the inspector's buttons.
  assert.equal(seen[0], 'learn');
  const node = seen.findIndex((w) => /^Node 1 /.test(w));
  const play = seen.indexOf('Play');
  assert.ok(play > 0 && node > play, `play ${play}, node 1 ${node}`);
  // Worked from the keyboard: a node is selected with Enter, play toggles with Space.
  await page.locator('g.node[data-node="3"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=node-inspector][data-node="3"]');
  await page.locator('[data-testid=play]').focus();
  await page.keyboard.press('Space');
  assert.equal(await page.getAttribute('[data-testid=play]', 'aria-label'), 'Pause');
  await page.keyboard.press('Space');
});

test('the palette stays distinguishable with each common colour-vision deficiency', async () => {
  const page = env.page;
  const css = await page.evaluate(() => {
    const s = getComputedStyle(document.documentElement);
    const v = (n) => s.getPropertyValue(`--${n}`).trim();
    return {
      messages: Object.fromEntries(['vote', 'append', 'heartbeat', 'snapshot', 'other'].map((k) => [k, v(`msg-${k}`)])),
      roles: Object.fromEntries(['leader', 'candidate', 'follower', 'precandidate', 'learner'].map((k) => [k, v(k)])),
      steps: Object.fromEntries(['persist', 'send', 'apply', 'advance'].map((k) => [k, v(`step-${k}`)])),
    };
  });
  for (const [family, colours] of Object.entries(css)) {
    for (const [vision, { d, pair }] of Object.entries(closestPairs(colours))) {
      console.log(`# ${family}, ${vision}: closest ${pair.join('/')} ΔE ${d.toFixed(1)}`);
      assert.ok(d >= 10, `${family} with ${vision}: ${pair.join(' and ')} are ΔE ${d.toFixed(1)} apart`);
    }
  }
});
