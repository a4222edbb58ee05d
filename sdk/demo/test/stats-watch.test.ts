import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import { afterAll, expect, it } from 'vitest';

// `omnicache stats --watch` in a real pseudo-terminal (util-linux `script`), against the running demo; the
// screen is read back through a headless xterm, as a person would see it.
const demoMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const cli = fileURLToPath(new URL('../../cli/bin/omnicache.js', import.meta.url));
const COLS = 120;
const ROWS = 100; // three caches (demo, demo-http, demo-accounts) fit without scrolling the header away

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startDemo(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [demoMain, '--duration', '600', '--port', String(port), '--no-page'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(`metrics: http://127.0.0.1:${port}/metrics`)) resolve();
      else if (/metrics: http/.test(out)) reject(new Error(`demo did not get port ${port}: ${out}`));
    });
    child.once('exit', (code) => reject(new Error(`demo exited (${code}): ${out}`)));
  });
  return child;
}

function screenOf(term: xterm.Terminal): string {
  const b = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
  return lines.join('\n');
}

async function until(what: string, term: xterm.Terminal, ok: (screen: string) => boolean, ms: number) {
  const end = Date.now() + ms;
  for (;;) {
    const screen = screenOf(term);
    if (ok(screen)) return screen;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('stats --watch draws the live demo in place, survives the target going away and coming back', async () => {
  const port = await freePort();
  let demo = await startDemo(port);
  const url = `http://127.0.0.1:${port}/metrics`;
  const term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  const command = `stty cols ${COLS} rows ${ROWS}; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} stats --url ${url} --watch --interval 400`;
  const pty = spawn('script', ['-qfec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TERM: 'xterm-256color', NO_COLOR: '' },
  });
  children.push(pty);
  let raw = '';
  pty.stdout!.on('data', (c: Buffer) => {
    raw += c.toString();
    term.write(c);
  });
  const exited = new Promise<number | null>((resolve) => pty.on('exit', resolve));

  // Live numbers: rates over the last interval, ARC lists with sparklines after a few frames.
  const live = await until(
    'live stats',
    term,
    (s) =>
      /hit ratio \d+\.\d%/.test(s) &&
      /\(last \d+\.\d s\)/.test(s) &&
      // past the warm-up: values come back up from the fs L3
      /l3→l1 [\d,]+ [\d.]+\/s/.test(s) &&
      // the demo's Fastify service, cached by omnicache/fastify
      /│ \/items\/:id\s*│ hit\s*│ [\d,]+/.test(s) &&
      /T1\s*│\s*\d+\s*│\s*[▁▂▃▄▅▆▇█]{3,}/.test(s),
    60_000,
  );
  expect(live).toMatch(/omnicache stats {2}http:\/\/127\.0\.0\.1:\d+\/metrics/);
  const ratio = Number(/cache demo {2}hit ratio (\d+\.\d)%/.exec(live)?.[1]);
  expect(ratio).toBeGreaterThan(0);
  expect(ratio).toBeLessThanOrEqual(100);
  for (const row of ['│ l1 ', '│ l3 ', '│ T2 ', '│ B1 ', '│ B2 ']) expect(live).toContain(row);
  expect(live).toMatch(/ARC {2}c=1,000 {2}p=\d+\.\d {2}p\/c=0\.\d\d/);
  expect(live).toMatch(/l3→l1 [\d,]+ [\d.]+\/s/);
  expect(live).toMatch(/evictions {2}capacity [\d,]+/);
  expect(live).toMatch(/loader {2}p50 [\d.]+ ms {2}p95 [\d.]+ ms {2}p99 [\d.]+ ms/);
  expect(live).toMatch(/│ l3 .*closed/);
  expect(live).toContain('cache demo-http');
  expect(live).toMatch(/HTTP routes[\s\S]*│ \/items\/:id\s*│ miss\s*│ [\d,]+/);
  // Redrawn in place: the alternate screen, the cursor moved home, never scrolled down.
  expect(raw).toContain('\x1b[?1049h');
  expect(raw.split('\x1b[H').length - 1).toBeGreaterThan(2);
  expect(term.buffer.active.type).toBe('alternate');

  // The target goes away: the last data stays on screen under a warning.
  demo.kill('SIGKILL');
  const lost = await until('target loss', term, (s) => s.includes('target unreachable'), 15_000);
  expect(lost).toMatch(/retrying every 0\.4 s; last data from \d\d:\d\d:\d\d UTC/);
  expect(lost).toContain('cache demo');

  // ... and comes back (a restarted process: counters reset, ratios since its start until the next frame).
  demo = await startDemo(port);
  await until(
    'recovery',
    term,
    (s) => !s.includes('target unreachable') && /hit ratio \d+\.\d%/.test(s),
    60_000,
  );

  // Ctrl-C: back to the normal screen, exit 0.
  pty.stdin!.write('\x03');
  expect(await exited).toBe(0);
  expect(raw.endsWith('\x1b[?25h\x1b[?1049l') || raw.includes('\x1b[?1049l')).toBe(true);
  expect(term.buffer.active.type).toBe('normal');
  demo.kill('SIGINT');
}, 180_000);
