// End-to-end: a few thousand random actions, from a seed, as a restless visitor would make them:
// clicks on nodes, links, messages and every enabled button; the keyboard shortcuts; timeline
// scrubs; every drop-down; typing odd values (0, huge, negative, words) into every field; script
// runs of random lines (good, bad and out of bounds), some stopped half way. The page must never
// raise an error, log one to the console, or show the panic banner.
//
// RANDOM_ACTIONS=N sets the number of actions (2000 by default), RANDOM_ACTIONS_SEED=S the seed
// (1 by default); a failure prints the seed and the last actions, so it can be replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const ACTIONS = Number(process.env.RANDOM_ACTIONS ?? 2000);
const SEED = Number(process.env.RANDOM_ACTIONS_SEED ?? 1);

const env = servedBrowser();

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  return { next, int, pick };
}

const KEYS = [' ', 'ArrowRight', 'ArrowDown', 'ArrowUp', 'ArrowLeft', 'End', '+', '-', '?',
  'Escape', '1', '2', '3', '4', '5', '6', '7', '9', 'Enter', 'Tab'];

const ODD_VALUES = ['0', '1', '-1', '3', '7', '9', '10', '99999999999999999999', '18446744073709551615',
  'abc', '', ' ', '1e9', '2.5', 'x=1', '🙂', '0x10'];

/** Script lines: documented commands with ordinary, boundary and absent values, and junk. */
function scriptLine(r) {
  const n = () => r.pick(['1', '2', '3', '5', '9', '0', '10', '18446744073709551615']);
  const d = () => r.pick(['0ms', '1ms', '200ms', '2s', '1h', '61m', '999999999s']);
  return r.pick([
    () => `cluster ${r.pick(['1', '3', '5', '9', '10', '0'])}${r.pick(['', ' prevote=true', ' check-quorum=true', ' snapshot-count=1', ' latency=0..500ms'])}`,
    () => `run ${d()}`,
    () => `run-until leader max=${d()}`,
    () => `tick ${n()} ${r.pick(['1', '100', '10001'])}`,
    () => `campaign ${n()}`,
    () => `crash ${n()}`,
    () => `restart ${n()}`,
    () => `wipe ${n()}`,
    () => `pause ${n()}`,
    () => `resume ${n()}`,
    () => `partition ${n()} | ${n()} ${n()}`,
    () => 'heal',
    () => `cut ${n()} ${n()}`,
    () => `drop ${n()} ${n()} ${r.pick(['0', '0.5', '1', '2'])}`,
    () => `compact ${n()} ${n()}`,
    () => `put ${n()} k=${n()}`,
    () => `get ${n()} k`,
    () => `load every=${r.pick(['0ms', '5ms', '10ms', '100ms'])}`,
    () => `add-nodes ${r.pick(['1', '2', '9'])}`,
    () => `transfer-leadership from=${n()} to=${n()}`,
    () => `stabilize`,
    () => `expect leader=${n()}`,
    () => `raft-state`,
    () => `status ${n()}`,
    () => r.pick(['bogus', 'run', 'tick', '----', 'cluster 3 3 3', 'run 5', '"', '\\']),
  ])();
}

/** Where the diagram's nodes, link targets and messages are, in viewport coordinates. */
async function targets(page) {
  return page.evaluate(() => {
    const centre = (el) => {
      const b = el.getBoundingClientRect();
      return b.width > 0 || b.height > 0 ? [b.x + b.width / 2, b.y + b.height / 2] : null;
    };
    const msgs = [...document.querySelectorAll('.msg-list button.msg')]
      .map((b) => window.raftPlaygroundMessageCenter?.(Number(b.dataset.message)))
      .filter((c) => Array.isArray(c));
    return {
      nodes: [...document.querySelectorAll('g.node')].map(centre).filter(Boolean),
      links: [...document.querySelectorAll('g.link .link-hit')].map(centre).filter(Boolean),
      msgs,
    };
  });
}

/**
 * The elements matching `selector` that are on screen, each with its centre, a label for the
 * failure report, its option count (for a select) and a mark to find it again by
 * `[data-random-target=MARK]`: one round trip for the whole list.
 */
async function visible(page, selector) {
  return page.evaluate((selector) => {
    for (const el of document.querySelectorAll('[data-random-target]')) {
      el.removeAttribute('data-random-target');
    }
    const out = [];
    for (const el of document.querySelectorAll(selector)) {
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0 || b.bottom < 0 || b.top > innerHeight) continue;
      const mark = String(out.length);
      el.setAttribute('data-random-target', mark);
      out.push({
        x: b.x + b.width / 2,
        y: b.y + b.height / 2,
        label: el.getAttribute('aria-label') ?? el.dataset.testid ?? el.textContent.trim().slice(0, 40),
        options: el.options?.length ?? 0,
        mark,
      });
    }
    return out;
  }, selector);
}

test(`${ACTIONS} random actions from seed ${SEED} raise no error and no banner`, async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  // A link, a file import or a download would take the visitor off this page; they are tested
  // elsewhere and left out here.
  page.on('dialog', (d) => d.dismiss());
  await page.goto(`${env.server.url}?seed=${SEED}`);
  await page.waitForSelector('g.node[data-node="1"]', { timeout: 20_000 });
  const r = generator(SEED);
  const done = [];
  const clean = () =>
    problems.pageErrors.length === 0 && problems.consoleErrors.length === 0;

  const actions = [
    [8, 'click a node', async () => {
      const t = await targets(page);
      if (t.nodes.length) await page.mouse.click(...r.pick(t.nodes));
    }],
    [5, 'click a link', async () => {
      const t = await targets(page);
      if (t.links.length) await page.mouse.click(...r.pick(t.links));
    }],
    [5, 'click a message', async () => {
      const t = await targets(page);
      if (t.msgs.length) await page.mouse.click(...r.pick(t.msgs));
    }],
    [20, 'click a button', async () => {
      const all = await visible(
        page,
        '.app button:not([disabled]):not(.sp-export):not(.sp-import):not(.sp-share)',
      );
      if (all.length) {
        const b = r.pick(all);
        done.push(`  button ${b.label}`);
        await page.mouse.click(b.x, b.y);
      }
    }],
    [15, 'press a key', async () => {
      const key = r.pick(KEYS);
      done.push(`  key ${JSON.stringify(key)}`);
      await page.keyboard.press(key);
    }],
    [6, 'scrub the timeline', async () => {
      const f = r.next();
      await page.evaluate((f) => {
        const range = document.querySelector('[data-testid=timeline]');
        if (!range || range.disabled) return;
        const v = Math.round(Number(range.min) + f * (Number(range.max) - Number(range.min)));
        range.value = String(v);
        range.dispatchEvent(new Event('input', { bubbles: true }));
        range.dispatchEvent(new Event('change', { bubbles: true }));
      }, f);
    }],
    [6, 'choose in a drop-down', async () => {
      const all = await visible(page, '.app select:not([disabled])');
      if (!all.length) return;
      const target = r.pick(all);
      const index = r.int(Math.max(1, target.options));
      done.push(`  select ${target.label} #${index}`);
      await page
        .selectOption(`[data-random-target="${target.mark}"]`, { index }, { timeout: 1_000 })
        .catch(() => {});
    }],
    [6, 'type into a field', async () => {
      const all = await visible(
        page,
        '.app input:not([type=file]):not([type=range]):not([readonly]):not([disabled])',
      );
      if (!all.length) return;
      const target = r.pick(all);
      const value = r.pick(ODD_VALUES);
      done.push(`  type ${JSON.stringify(value)} into ${target.label}`);
      const selector = `[data-random-target="${target.mark}"]`;
      await page.fill(selector, value, { timeout: 1_000 }).catch(() => {});
      if (r.next() < 0.5) await page.press(selector, 'Enter', { timeout: 1_000 }).catch(() => {});
    }],
    [4, 'run a random script', async () => {
      // The help overlay covers the page while open; a visitor closes it first.
      if (await page.$('.overlay')) await page.keyboard.press('Escape');
      await page.click('[data-testid=tab-script]', { timeout: 2_000 });
      await page.waitForSelector('textarea.sp-textarea', { timeout: 2_000 });
      const lines = [`cluster ${r.pick(['3', '5'])}`];
      const count = 1 + r.int(8);
      for (let i = 0; i < count; i++) lines.push(scriptLine(r));
      const text = lines.join('\n') + '\n';
      done.push(`  script ${JSON.stringify(text)}`);
      await page.fill('textarea.sp-textarea', text, { timeout: 2_000 });
      const run = await page.$('button.sp-run:not([disabled])');
      if (run) await run.click({ timeout: 1_000 }).catch(() => {});
      if (r.next() < 0.3) {
        const stop = await page.$('[data-testid=script-stop]');
        if (stop) await stop.click({ timeout: 1_000 }).catch(() => {});
      }
    }],
    [6, 'let time pass', async () => {
      await page.waitForTimeout(r.int(60));
    }],
  ];
  const total = actions.reduce((s, [w]) => s + w, 0);
  const started = Date.now();
  for (let i = 0; i < ACTIONS; i++) {
    let roll = r.int(total);
    const [, name, act] = actions.find(([w]) => (roll -= w) < 0);
    done.push(`${i}: ${name}`);
    if (done.length > 40) done.splice(0, done.length - 40);
    await act();
    if (i % 20 === 19 || !clean()) {
      const banner = await page.$('#panic-banner');
      assert.ok(
        clean() && !banner,
        `seed ${SEED}, action ${i}: ${JSON.stringify(problems)}\nlast actions:\n${done.join('\n')}`,
      );
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`random actions: ${ACTIONS} from seed ${SEED} in ${seconds.toFixed(1)} s, no error`);
  await screenshot(page, 'random-actions-end');
  assert.equal(await page.$('#panic-banner'), null);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.offOrigin, []);
  await context.close();
});
