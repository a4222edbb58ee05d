import type { Command } from 'commander';
import pc from 'picocolors';
import { CliError, positiveInt, useColour } from './cli-error.js';
import { deriveView } from './stats/derive.js';
import { ExpositionError, parseExposition } from './stats/exposition.js';
import { type ArcHistory, renderCache } from './stats/render.js';
import { type Scrape, toScrape } from './stats/snapshot.js';

interface StatsFlags {
  url: string;
  watch?: boolean;
  interval: string;
  timeout: string;
  cache?: string;
  json?: boolean;
}

const HISTORY = 40;

export function statsCommand(program: Command): void {
  program
    .command('stats')
    .description(
      "a cache's hit ratios, ARC state, movements, evictions, breakers and loader latency from its /metrics",
    )
    .requiredOption('--url <url>', 'the Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics')
    .option('--watch', 'redraw in place until Ctrl-C; keeps retrying while the target is away')
    .option('--interval <ms>', 'time between scrapes with --watch', '2000')
    .option('--timeout <ms>', 'time allowed for one scrape', '3000')
    .option('--cache <name>', 'only this cache (default: every cache the endpoint reports)')
    .option('--json', 'print one JSON object (with --watch: one line per scrape)')
    .action(async (flags: StatsFlags) => {
      await runStats(flags);
    });
}

async function scrape(url: string, timeoutMs: number): Promise<Scrape> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new CliError(`cannot reach ${url} (${why}); is the service running and serving /metrics?`, 3);
  }
  if (!res.ok)
    throw new CliError(`${url} answered HTTP ${res.status}; give the URL of the /metrics endpoint`, 3);
  try {
    return toScrape(parseExposition(await res.text()), Date.now());
  } catch (error) {
    if (error instanceof ExpositionError)
      throw new CliError(`${url} does not serve Prometheus text (${error.message})`, 3);
    throw error;
  }
}

function select(s: Scrape, cache: string | undefined): Scrape {
  if (cache === undefined) return s;
  const only = s.caches.get(cache);
  return { at: s.at, caches: only === undefined ? new Map() : new Map([[cache, only]]) };
}

function parseUrl(text: string): string {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    return u.href;
  } catch {
    throw new CliError(
      `--url must be an http(s) URL such as http://127.0.0.1:9464/metrics, got "${text}"`,
      2,
    );
  }
}

async function runStats(flags: StatsFlags): Promise<void> {
  const url = parseUrl(flags.url);
  const interval = positiveInt('--interval', flags.interval);
  const timeout = positiveInt('--timeout', flags.timeout);
  const out = process.stdout;
  const colours = pc.createColors(useColour(out, flags.json));

  if (!flags.watch) {
    const s = select(await scrape(url, timeout), flags.cache);
    if (s.caches.size === 0)
      throw new CliError(
        `${url} reports no OmniCache metrics${flags.cache ? ` for cache "${flags.cache}"` : ''}`,
        3,
      );
    const views = [...s.caches.values()].map((c) => deriveView(c, undefined, 0));
    if (flags.json)
      out.write(`${JSON.stringify({ url, at: new Date(s.at).toISOString(), caches: views })}\n`);
    else out.write(`${views.map((v) => renderCache(v, undefined, colours)).join('\n\n')}\n`);
    return;
  }
  await watch(url, interval, timeout, flags, colours);
}

async function watch(
  url: string,
  interval: number,
  timeout: number,
  flags: StatsFlags,
  c: ReturnType<typeof pc.createColors>,
): Promise<void> {
  const out = process.stdout;
  const inPlace = out.isTTY === true && !flags.json;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (inPlace) out.write('\x1b[?1049h\x1b[?25l'); // alternate screen, cursor hidden
  const histories = new Map<string, ArcHistory>();
  let prev: Scrape | undefined;
  try {
    while (!stopped) {
      let current: Scrape | undefined;
      let failure: string | undefined;
      try {
        current = select(await scrape(url, timeout), flags.cache);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        failure = error.message;
      }
      if (flags.json) {
        const caches = current
          ? [...current.caches.values()].map((s) =>
              deriveView(s, prev?.caches.get(s.cache), prev ? (current!.at - prev.at) / 1000 : 0),
            )
          : [];
        out.write(
          `${JSON.stringify({ url, at: new Date().toISOString(), ok: failure === undefined, error: failure, caches })}\n`,
        );
      } else {
        const frame = drawFrame(url, current, prev, failure, histories, interval, c);
        out.write(inPlace ? `\x1b[H${frame.split('\n').join('\x1b[K\n')}\x1b[K\x1b[J` : `${frame}\n\n`);
      }
      if (current !== undefined) prev = current;
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, interval);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (inPlace) out.write('\x1b[?25h\x1b[?1049l');
  }
}

function drawFrame(
  url: string,
  current: Scrape | undefined,
  prev: Scrape | undefined,
  failure: string | undefined,
  histories: Map<string, ArcHistory>,
  interval: number,
  c: ReturnType<typeof pc.createColors>,
): string {
  const time = new Date().toISOString().slice(11, 19);
  const head = `${c.bold('omnicache stats')}  ${url}  ${c.dim(`${time} UTC, every ${interval / 1000} s, Ctrl-C to quit`)}`;
  const shown = current ?? prev;
  const lines = [head];
  if (failure !== undefined) {
    const since = prev ? `; last data from ${new Date(prev.at).toISOString().slice(11, 19)} UTC` : '';
    lines.push(
      c.red(c.bold(`target unreachable: ${failure}`)),
      c.red(`retrying every ${interval / 1000} s${since}`),
    );
  }
  if (shown === undefined) return lines.join('\n');
  if (shown.caches.size === 0) lines.push(c.yellow('no OmniCache metrics at this endpoint (yet)'));
  for (const snap of shown.caches.values()) {
    if (current !== undefined && snap.arc !== undefined) {
      let h = histories.get(snap.cache);
      if (h === undefined) {
        h = { pOverC: [], t1: [], t2: [], b1: [], b2: [] };
        histories.set(snap.cache, h);
      }
      const a = snap.arc;
      const push = (arr: number[], v: number) => {
        arr.push(v);
        if (arr.length > HISTORY) arr.shift();
      };
      push(h.pOverC, a.c > 0 ? a.p / a.c : 0);
      push(h.t1, a.t1);
      push(h.t2, a.t2);
      push(h.b1, a.b1);
      push(h.b2, a.b2);
    }
    const before = current !== undefined ? prev?.caches.get(snap.cache) : undefined;
    const seconds = current !== undefined && prev !== undefined ? (current.at - prev.at) / 1000 : 0;
    lines.push('', renderCache(deriveView(snap, before, seconds), histories.get(snap.cache), c));
  }
  return lines.join('\n');
}
