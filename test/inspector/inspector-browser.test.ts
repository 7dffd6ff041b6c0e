/**
 * The inspector's page in a real browser: headless Chromium (Debian's package, found or
 * installed by `scripts/ensure-chromium.sh`) driven by playwright-core. A simulated Placetel call
 * is placed over HTTP with `callcontrol simulate`; its requests must show up on the page grouped
 * under the call id, a request must open to its answer, and Replay must add the new exchange.
 * Screenshots (desktop and phone width) go to `test-output/` (git-ignored).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createInspector, type Inspector, type WebhookEvent } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { createPlacetelDemo } from '../../examples/placetel/app';

const ROOT = resolve(__dirname, '../..');
const OUTPUT = join(ROOT, 'test-output');
const SECRET = 'inspector-browser-secret-1';
/** apt-get update and install of chromium on a fresh machine: at most 10 minutes. */
const ENSURE_TIMEOUT_MS = 10 * 60_000;
/** Every wait in the page: tens of seconds, for a slow shared machine. */
const PAGE_TIMEOUT_MS = 30_000;

/** `scripts/ensure-chromium.sh`: the path of Chromium, installing it as root where apt-get works. */
function ensureChromium(): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      'bash',
      [join(ROOT, 'scripts/ensure-chromium.sh')],
      { timeout: ENSURE_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const path = stdout.trim().split('\n').pop() ?? '';
        if (error !== null || path === '') {
          fail(new Error(`scripts/ensure-chromium.sh failed: ${stderr.trim() || String(error)}`));
        } else done(path);
      },
    );
  });
}

function quietIo(): CliIo & { out: string } {
  const io = {
    out: '',
    env: {},
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: () => undefined,
  };
  return io;
}

let server: Server;
let base: string;
let inspector: Inspector;
/** A second inspector of the same app, behind a token. */
let guarded: Inspector;
const TOKEN = 'inspector-browser-token-0123';
let context: BrowserContext | undefined;
let profile: string;
const events: WebhookEvent[] = [];

beforeAll(async () => {
  const executablePath = await ensureChromium();
  inspector = createInspector({ enabled: true });
  const calls = createPlacetelDemo({ secret: SECRET, forwardTo: ['022129191999'], log: () => {} });
  calls.onAny((event) => {
    events.push(event);
  });
  inspector.watch(calls, { name: '/placetel' });
  guarded = createInspector({ enabled: true, token: TOKEN });
  guarded.watch(calls, { name: '/placetel' });
  const http = express();
  http.use('/placetel', calls.express());
  http.use('/_callcontrol', inspector.node());
  http.use('/_guarded', guarded.node());
  server = await new Promise<Server>((done) => {
    const listening = http.listen(0, '127.0.0.1', () => done(listening));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = mkdtempSync(join(tmpdir(), 'callcontrol-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    timeout: PAGE_TIMEOUT_MS,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(OUTPUT, { recursive: true });
}, ENSURE_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await context?.close();
  inspector?.close();
  guarded?.close();
  await new Promise((done) => server?.close(done));
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
}, 30_000);

/** The entries shown in the call `callId`'s group. */
function entriesOf(page: Page, callId: string) {
  return page.locator(`section.call[data-call-id="${callId}"] .entry`);
}

/** Waits (at most {@link PAGE_TIMEOUT_MS}) until `locator` matches `count` elements. */
async function untilCount(locator: Locator, count: number): Promise<void> {
  const deadline = Date.now() + PAGE_TIMEOUT_MS;
  let seen = await locator.count();
  while (seen !== count && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    seen = await locator.count();
  }
  expect(seen).toBe(count);
}

test('a simulated call shows up grouped under its call id, opens to its answer, and replays', async () => {
  const page = await (context as BrowserContext).newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  await page.goto(`${base}/_callcontrol/`);
  await page.locator('#status[data-state="live"]').waitFor();

  // The call over real HTTP, with the CLI's simulation (it follows the answers).
  const io = quietIo();
  const code = await runCli(
    ['simulate', 'placetel', `${base}/placetel`, '--secret', SECRET, '--json'],
    io,
  );
  expect(code).toBe(0);
  const callId = events[0]?.callId ?? '';
  expect(callId).not.toBe('');
  const requests = events.filter((event) => event.callId === callId).length;
  expect(requests).toBeGreaterThanOrEqual(2);

  // Every request of the call in its group, in arrival order, each with its outcome.
  await untilCount(entriesOf(page, callId), requests);
  const group = page.locator(`section.call[data-call-id="${callId}"]`);
  expect(await group.count()).toBe(1);
  await expect(group.locator('h2').textContent()).resolves.toContain(callId);
  const names = await entriesOf(page, callId).locator('.ev').allTextContents();
  expect(names).toEqual(events.filter((e) => e.callId === callId).map((e) => e.name));
  expect(await entriesOf(page, callId).locator('[data-outcome="handled"]').count()).toBe(requests);

  // The first request (IncomingCall) opens to its answer, the validator's verdict, the request.
  const first = entriesOf(page, callId).first();
  await first.locator('button.row').click();
  const answer = first.locator('[data-answer]');
  await answer.waitFor();
  const answerText = (await answer.textContent()) ?? '';
  expect(answerText).toContain('HTTP 200');
  expect(answerText).toContain('<Forward');
  expect(answerText).toContain('022129191999');
  expect(await first.locator('.detail').textContent()).toContain('Raw request');
  expect(await first.locator('.detail').textContent()).not.toContain(SECRET);
  await page.screenshot({ path: join(OUTPUT, 'inspector.png'), fullPage: true });

  // Replay: the same request through the app again; the new exchange joins the call's group.
  await first.locator('[data-replay]').click();
  await untilCount(entriesOf(page, callId), requests + 1);
  const replayed = entriesOf(page, callId).last();
  expect(await replayed.locator('.replayed').textContent()).toContain('replay of #');
  expect(await replayed.locator('[data-outcome]').textContent()).toBe('handled');
  expect(await first.locator('.note').textContent()).toMatch(/replayed as #\d+ \(handled\)/);
  await page.screenshot({ path: join(OUTPUT, 'inspector-replay.png'), fullPage: true });

  // Readable on a phone: the rows fold into cards, no horizontal scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  const widths = await page
    .locator('html')
    .evaluate((html) => [html.scrollWidth, html.clientWidth]);
  expect(widths[0]).toBeLessThanOrEqual(widths[1] ?? 0);
  await page.screenshot({ path: join(OUTPUT, 'inspector-phone.png'), fullPage: true });
  await page.close();
}, 90_000);

test('behind a token: opened once with ?token=, the page streams with its cookie', async () => {
  const page = await (context as BrowserContext).newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const refused = await page.goto(`${base}/_guarded/`);
  expect(refused?.status()).toBe(401);
  await page.goto(`${base}/_guarded/?token=${TOKEN}`);
  // The token left the address for an HttpOnly cookie; the stream is live with it.
  expect(page.url()).toBe(`${base}/_guarded/`);
  await page.locator('#status[data-state="live"]').waitFor();
  const before = guarded.entries().length;
  const code = await runCli(
    ['simulate', 'placetel', `${base}/placetel`, '--secret', SECRET, '--json'],
    quietIo(),
  );
  expect(code).toBe(0);
  expect(guarded.entries().length).toBeGreaterThan(before);
  await untilCount(page.locator('section.call .entry'), guarded.entries().length);
  expect(await page.content()).not.toContain(TOKEN);
  await page.close();
}, 60_000);
