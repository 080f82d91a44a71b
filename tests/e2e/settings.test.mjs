// End-to-end: the settings panel against the release build. A visitor opens Settings, turns
// PreVote on (a new run whose elections start with pre-candidates), changes the election ticks,
// hands a node's Readys to raftexample's loop and takes them by hand, changes the client load and
// the links' latency, is told why a bad value is refused, finds all of it in the session's script,
// and opens the panel's link in a fresh page, which starts the same run.
//
// Selectors (web/src/components/settings_panel.rs): [data-testid=settings] in the toolbar opens
// [data-testid=settings-panel] (role=dialog); [data-testid=settings-prevote|settings-checkquorum]
// (checkboxes), [data-testid=settings-read-only] (select), [data-testid=settings-election|
// settings-heartbeat|settings-tick|settings-inflight|settings-max-size|settings-snapshot-count|
// settings-latency|settings-load] (fields: a change is committed with Enter or leaving the field),
// [data-testid=settings-policy-N] (select), [data-testid=settings-auto-N] (checkbox),
// [data-testid=settings-message] (why a value was refused), [data-testid=settings-link].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const env = servedBrowser();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations inside the settings panel, described. */
async function axeOnPanel(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () =>
    (await window.axe.run('[data-testid=settings-panel]', { resultTypes: ['violations'] })).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
  );
  return found;
}

async function openSettings(page) {
  await page.click('[data-testid=settings]');
  await page.waitForSelector('[data-testid=settings-panel]');
}

/** Sets a field of the panel and commits it as a person would (Enter). */
async function setField(page, key, value) {
  const field = page.locator(`[data-testid=settings-${key}]`);
  await field.fill(value);
  await field.press('Enter');
}

/** The session as a script, from the Script tab's record view. */
async function recordedScript(page) {
  await page.click('[data-testid=tab-script]');
  const recorded = page.locator('pre.sp-recorded-text');
  if (!(await recorded.isVisible())) await page.click('button.sp-record');
  await recorded.waitFor();
  return recorded.textContent();
}

async function pause(page) {
  if ((await page.getAttribute('[data-testid=play]', 'aria-label')) === 'Pause') {
    await page.click('[data-testid=play]');
  }
}

test('every setting is reachable, recorded in the script and carried by the link', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await page.goto(env.server.url);
  await page.waitForSelector('g.node[data-node="1"]');

  // The panel is a labelled dialog that takes the focus.
  await openSettings(page);
  const panel = page.locator('[data-testid=settings-panel]');
  assert.equal(await panel.getAttribute('role'), 'dialog');
  assert.equal(await panel.locator('h2').textContent(), 'Settings');
  assert.ok(
    await page.evaluate(() => !!document.activeElement?.closest('[data-testid=settings-panel]')),
    'focus moves into the panel',
  );
  assert.equal(await page.isChecked('[data-testid=settings-prevote]'), false);
  assert.deepEqual(await axeOnPanel(page), [], 'axe finds nothing serious in the panel');
  // Lease-based reads are not offered without check-quorum.
  assert.equal(
    await page.locator('[data-testid=settings-read-only] option[value=lease-based]').isDisabled(),
    true,
  );

  // PreVote on: a new run, playing, whose first election starts with a pre-candidate.
  await page.getByLabel('PreVote').check();
  await page.waitForFunction(() => !!document.querySelector('g.node.role-precandidate'), null, {
    polling: 'raf',
    timeout: 20_000,
  });
  assert.equal(await page.isChecked('[data-testid=settings-prevote]'), true);
  await screenshot(page, 'settings-01-prevote');

  // Escape closes the panel; pause so that the rest happens at one instant.
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  await pause(page);
  await openSettings(page);

  // More election ticks: another new run, PreVote kept.
  await setField(page, 'election', '15');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=settings-link]')?.value.includes('election=15'),
  );
  assert.equal(await page.inputValue('[data-testid=settings-election]'), '15');
  assert.equal(await page.isChecked('[data-testid=settings-prevote]'), true);

  // Live: node 2 hands its Readys to raftexample's loop, then waits for a person.
  await page.selectOption('[data-testid=settings-policy-2]', 'serve-channels');
  await page.uncheck('[data-testid=settings-auto-2]');
  assert.equal(await page.inputValue('[data-testid=settings-policy-2]'), 'serve-channels');
  assert.equal(await page.isChecked('[data-testid=settings-auto-2]'), false);
  assert.equal(await page.isChecked('[data-testid=settings-auto-1]'), true, 'only node 2 changed');

  // Live: the load's rate and every link's latency.
  await setField(page, 'load', '250');
  await setField(page, 'latency', '5..40ms');
  await page.waitForFunction(() => {
    const link = document.querySelector('[data-testid=settings-link]')?.value ?? '';
    return link.includes('load=250') && link.includes('latency=5..40ms');
  });

  // Bad values are refused with the reason, and nothing restarts.
  await setField(page, 'heartbeat', '20');
  const message = page.locator('[data-testid=settings-message]');
  assert.match(await message.textContent(), /election ticks \(15\) must be more than heartbeat ticks \(20\)/);
  await setField(page, 'latency', 'soon');
  assert.match(await message.textContent(), /link latency/);
  await setField(page, 'inflight', '100000');
  assert.match(await message.textContent(), /inflight 100000 is over the limit of 10000/);
  await screenshot(page, 'settings-02-refused');

  const link = await page.inputValue('[data-testid=settings-link]');
  assert.ok(link.startsWith(env.server.url + '?'), link);
  for (const part of ['prevote=1', 'election=15', 'load=250', 'latency=5..40ms']) {
    assert.ok(link.includes(part), `${part} in ${link}`);
  }
  assert.ok(!link.includes('heartbeat='), `the refused heartbeat is not in ${link}`);

  // The session's script says all of it.
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  const script = await recordedScript(page);
  for (const line of [
    'cluster 5 prevote=true election=15 latency=30ms snapshot-count=50',
    'policy 2 serve-channels',
    'manual 2',
    'load every=250ms',
    'link * delay=5..40ms',
  ]) {
    assert.ok(script.includes(line), `${line} in the script:\n${script}`);
  }
  assert.ok(!script.includes('heartbeat=20'), script);
  await screenshot(page, 'settings-03-script');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.offOrigin, []);

  // The link in a fresh page starts the same run.
  const second = await openPage(env.browser, env.server.url);
  await second.page.goto(link);
  await second.page.waitForSelector('g.node[data-node="1"]');
  await openSettings(second.page);
  assert.equal(await second.page.isChecked('[data-testid=settings-prevote]'), true);
  assert.equal(await second.page.inputValue('[data-testid=settings-election]'), '15');
  assert.equal(await second.page.inputValue('[data-testid=settings-load]'), '250');
  assert.equal(await second.page.inputValue('[data-testid=settings-latency]'), '5..40ms');
  assert.equal(await second.page.inputValue('[data-testid=settings-link]'), link);
  await second.page.keyboard.press('Escape');
  const again = await recordedScript(second.page);
  assert.ok(
    again.includes('cluster 5 prevote=true election=15 latency=5..40ms snapshot-count=50'),
    again,
  );
  assert.ok(again.includes('load every=250ms'), again);
  await screenshot(second.page, 'settings-04-shared');
  assert.deepEqual(second.problems.pageErrors, []);
  assert.deepEqual(second.problems.consoleErrors, []);
  await second.context.close();
  await context.close();
});

test('lease-based reads need check-quorum, and turning check-quorum off takes them back to Safe', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await page.goto(env.server.url + '?paused');
  await page.waitForSelector('g.node[data-node="1"]');
  await openSettings(page);
  await page.getByLabel('CheckQuorum').check();
  const leaseOption = page.locator('[data-testid=settings-read-only] option[value=lease-based]');
  await page.waitForFunction(
    () => !document.querySelector('[data-testid=settings-read-only] option[value=lease-based]').disabled,
  );
  await page.selectOption('[data-testid=settings-read-only]', 'lease-based');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=settings-link]')?.value.includes('readonly=lease-based'),
  );
  await page.keyboard.press('Escape');
  const leased = await recordedScript(page);
  assert.ok(leased.includes('cluster 5 checkquorum=true read-only=lease-based'), leased);
  await openSettings(page);
  await page.getByLabel('CheckQuorum').uncheck();
  await page.waitForFunction(
    () => !document.querySelector('[data-testid=settings-link]')?.value.includes('readonly='),
  );
  assert.equal(await page.inputValue('[data-testid=settings-read-only]'), 'safe');
  assert.equal(await leaseOption.isDisabled(), true);
  assert.match(
    await page.textContent('[data-testid=settings-message]'),
    /Read-only went back to Safe: LeaseBased needs CheckQuorum/,
  );
  await page.keyboard.press('Escape');
  const script = await recordedScript(page);
  // The script is the run now shown: the last new run, with neither check-quorum nor lease.
  assert.ok(script.includes('cluster 5 latency=30ms snapshot-count=50'), script);
  assert.ok(!script.includes('read-only=') && !script.includes('checkquorum'), script);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});
