// End-to-end: the script tab against the release build — run a built-in scenario, see a bad line
// flagged inline, keep an edited script across a reload, and round-trip a share link.
//
// Selectors (web/src/components/script_panel/): [data-testid=tab-script] opens the panel;
// select[aria-label="Built-in scenario"], button.sp-open, button.sp-run, textarea.sp-textarea,
// .sp-problem (inline errors, with the line), .sp-result.passed|failed, button.sp-share,
// input.sp-link (the share link).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const env = servedBrowser();

async function openScriptTab(page, url) {
  await page.goto(url);
  await page.waitForSelector('g.node[data-node="1"]');
  await page.click('[data-testid=tab-script]');
  await page.waitForSelector('textarea.sp-textarea');
}

test('a built-in scenario runs in the page and its expectations hold', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await openScriptTab(page, env.server.url);
  const scenario = page.locator('select[aria-label="Built-in scenario"]');
  const options = await scenario.locator('option').allTextContents();
  assert.ok(options.length >= 14, `the library lists its scenarios (${options.length})`);
  await scenario.selectOption({ index: 0 });
  // The scenario's text is fetched from beside the page (dist/scenarios/) when opened.
  const fetched = page.waitForResponse((r) => /\/scenarios\/01-[^/]*\.txt$/.test(r.url()));
  await page.click('button.sp-open');
  assert.equal((await fetched).status(), 200, 'the scenario file is served beside the page');
  await page.waitForSelector('.sp-notice:has-text("Opened the scenario")');
  const text = await page.inputValue('textarea.sp-textarea');
  assert.match(text, /expect/, 'the scenario text is in the editor');
  await page.click('button.sp-run');
  await page.waitForSelector('.sp-result', { timeout: 20_000 });
  assert.ok(await page.isVisible('.sp-result.passed'), await page.textContent('.sp-result'));
  // The run's cluster is now on the diagram: it has a leader.
  await page.waitForSelector('g.node.role-leader', { timeout: 5_000 });
  await screenshot(page, 'script-01-scenario-ran');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.offOrigin, []);
  await context.close();
});

test('a bad line is flagged inline at its line, and the edited script survives a reload', async () => {
  const { context, page, problems } = await openPage(env.browser, env.server.url);
  await openScriptTab(page, env.server.url);
  await page.fill('textarea.sp-textarea', 'cluster 3\nrun 1s\nfrobnicate 2\n');
  const problem = page.locator('.sp-problem').first();
  await problem.waitFor({ timeout: 5_000 });
  assert.match(await problem.textContent(), /3/, 'the error names line 3');
  await page.waitForTimeout(700); // autosave is debounced
  await page.reload();
  await page.waitForSelector('g.node[data-node="1"]');
  await page.click('[data-testid=tab-script]');
  await page.waitForSelector('textarea.sp-textarea');
  assert.equal(await page.inputValue('textarea.sp-textarea'), 'cluster 3\nrun 1s\nfrobnicate 2\n');
  await screenshot(page, 'script-02-inline-error');
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('a share link carries the script and seed to a fresh page', async () => {
  const first = await openPage(env.browser, env.server.url);
  await openScriptTab(first.page, env.server.url);
  const script = 'cluster 3\nrun-until leader max=5s\nexpect safe\n';
  await first.page.fill('textarea.sp-textarea', script);
  await first.page.fill('input[aria-label="Seed the script runs with"]', '7');
  await first.page.click('button.sp-share');
  const link = await first.page.inputValue('input.sp-link');
  assert.match(link, /#script=.*seed=7/);
  await first.context.close();

  // A new context has empty storage: only the link can bring the script back.
  const second = await openPage(env.browser, env.server.url);
  await second.page.goto(link);
  await second.page.waitForSelector('textarea.sp-textarea', { timeout: 10_000 });
  assert.equal(await second.page.inputValue('textarea.sp-textarea'), script);
  assert.equal(await second.page.inputValue('input[aria-label="Seed the script runs with"]'), '7');
  assert.deepEqual(second.problems.pageErrors, []);
  assert.deepEqual(second.problems.offOrigin, []);
  await second.context.close();
});
