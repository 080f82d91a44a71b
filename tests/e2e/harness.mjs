// Shared pieces of the end-to-end tests: a static server for the release build on a loopback
// port, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const root = resolve(import.meta.dirname, '..', '..');
export const dist = process.env.PLAYGROUND_DIST ?? join(root, 'dist');
export const artifacts = join(root, 'artifacts');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves `dir` on 127.0.0.1 at a free port; resolves to { url, close }. */
export async function serveDist(dir = dist) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? path + 'index.html' : path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Starts headless Debian Chromium with flags that keep it off the network. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * For a test file: serves the build and starts Chromium before its tests, closes both after.
 * Returns `{ server, browser }`, filled in once the tests start.
 */
export function servedBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await serveDist();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * For a test file whose tests share one page: serves the build, starts Chromium and opens
 * `path` (after the server's URL) before its tests, closes all of it after. Returns
 * `{ server, browser, context, page, problems }`, filled in once the tests start.
 */
export function sharedPage(path = '') {
  const env = { server: null, browser: null, context: null, page: null, problems: null };
  before(async () => {
    env.server = await serveDist();
    env.browser = await launch();
    Object.assign(env, await openPage(env.browser, env.server.url));
    await env.page.goto(env.server.url + path);
  });
  after(async () => {
    await env.context?.close();
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** Virtual milliseconds on the toolbar's clock ("t = 1.234 s"). */
export async function clockMs(page) {
  const t = await page.textContent('[data-testid=clock]');
  return Number(t.replace('t = ', '').replace(' s', '').replace('.', ''));
}

/**
 * Opens a page that records console errors, page errors and every request that leaves the
 * server's origin, so each test can assert the page is clean and self-contained.
 */
export async function openPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const problems = { consoleErrors: [], pageErrors: [], offOrigin: [], failedRequests: [] };
  const origin = new URL(url).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.failedRequests.push(`${r.status()} ${r.url()}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.offOrigin.push(u);
  });
  return { context, page, problems };
}

export async function screenshot(page, name) {
  await mkdir(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
