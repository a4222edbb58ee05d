// One chaos scenario = the workload + a fault script + the checks every scenario shares: no error surfaced, no
// wrong or too-stale value, p99 within the call budget, the breaker opened and closed again by itself, heap
// stable. Each run prints one summary line; with OMNICACHE_CHAOS_REPORT=<file> it is also appended there as JSON
// (docs/reliability.md is written from those lines).
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Cache, CircuitBreakerOptions } from '../../sdk/core/src/index.js';
import {
  at,
  type CircuitChange,
  heapAfterGc,
  Reference,
  runWorkload,
  summary,
  type WorkloadOptions,
  type WorkloadReport,
  watchCircuits,
} from './workload.js';

/** TTL of the scenarios' values: two instances without a bus may serve an older copy until it ends. */
export const TTL_MS = 1_500;
/** The staleness bound that follows (plus scheduling slack on a loaded 2-core machine). */
export const STALE_BOUND_MS = TTL_MS + 250;
/** Scheduling slack in every call budget. */
export const SLACK_MS = 250;
export const LOADER_MS = 5;
/** Opens after 5 failures within 2 s, probes after 500 ms: quick enough to see both within a few seconds. */
export const FAST_BREAKER: CircuitBreakerOptions = { failureThreshold: 5, windowMs: 2_000, openMs: 500 };

/** The load of every scenario unless it says otherwise: 2 x 4 workers, 50% getOrSet / 30% get / 20% set, 200 keys. */
export function standardLoad(budgetMs: number) {
  return {
    ref: new Reference(),
    keys: 200,
    workersPerCache: 4,
    mix: { getOrSet: 5, get: 3, set: 2 },
    loaderMs: LOADER_MS,
    padBytes: 512,
    budgetMs,
    staleBoundMs: STALE_BOUND_MS,
    warmMs: 1_200,
  };
}

export interface ChaosResult {
  report: WorkloadReport;
  circuits: CircuitChange[];
  heapGrowthBytes: number;
  /** Per cache and remote tier: the circuit's final state and how often it opened. */
  breakers: { tier: string; state: string; opens: number }[];
}

export interface ChaosOptions extends Omit<WorkloadOptions, 'script'> {
  /** The fault schedule; the heap is measured at `warmMs` (before it) and after the run. */
  script: (elapsed: () => number) => Promise<void>;
  warmMs: number;
  /** After the workload: how long the breakers get to close (with a light load running). */
  settleMs?: number;
  extra?: () => Record<string, unknown>;
  /** Awaited before the final heap measurement (e.g. until a bus has sent what it queued during the fault). */
  drained?: () => Promise<void>;
}

function breakers(caches: readonly Cache[]): ChaosResult['breakers'] {
  const out: ChaosResult['breakers'] = [];
  for (const c of caches) {
    const t = c.stats().tiers;
    for (const r of [t.l2, t.l3]) {
      if (r !== undefined) out.push({ tier: r.tier, state: r.circuit.state, opens: r.circuit.opens });
    }
  }
  return out;
}

export async function runChaos(name: string, o: ChaosOptions): Promise<ChaosResult> {
  const circuits = watchCircuits(o.caches);
  let heapBefore = 0;
  const report = await runWorkload({
    ...o,
    script: async (elapsed) => {
      await at(elapsed, o.warmMs);
      heapBefore = heapAfterGc();
      await o.script(elapsed);
    },
  });
  // A circuit only moves to half-open on a call: keep a trickle of reads going until every breaker is closed.
  const deadline = performance.now() + (o.settleMs ?? 3_000);
  while (performance.now() < deadline && breakers(o.caches).some((b) => b.state !== 'closed')) {
    await Promise.all(
      o.caches.map((c) => c.get(`k${Math.floor(Math.random() * o.keys)}`).catch(() => undefined)),
    );
    await sleep(50);
  }
  await o.drained?.();
  const heapGrowthBytes = heapAfterGc() - heapBefore;
  const result: ChaosResult = { report, circuits, heapGrowthBytes, breakers: breakers(o.caches) };
  const extra = {
    heapGrowthMB: +(heapGrowthBytes / 2 ** 20).toFixed(2),
    opens: result.breakers.map((b) => `${b.tier}:${b.opens}`).join(','),
    ...o.extra?.(),
  };
  const line = summary(name, report, extra);
  process.stderr.write(line);
  const file = process.env.OMNICACHE_CHAOS_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ name, ...report, timeline: undefined, ...extra })}\n`);
  return result;
}

export interface Expectations {
  /** Remote tiers whose breaker must have opened (and closed again). */
  opened: readonly ('l2' | 'l3')[];
  heapBoundMB?: number;
}

export function expectResilient(r: ChaosResult, e: Expectations): void {
  const { report } = r;
  expect(report.errorSamples, 'errors surfaced to callers').toEqual([]);
  expect(report.errors).toBe(0);
  expect(report.wrongSamples, 'values never written nor loaded').toEqual([]);
  expect(report.staleSamples, 'values stale past the bound').toEqual([]);
  expect(report.latency.p99, 'p99 within the call budget').toBeLessThanOrEqual(report.latency.budgetMs);
  expect(report.ops).toBeGreaterThan(500);
  for (const b of r.breakers) {
    expect(b.state, `${b.tier} breaker closed again by itself`).toBe('closed');
    if (e.opened.includes(b.tier as 'l2' | 'l3'))
      expect(b.opens, `${b.tier} breaker opened`).toBeGreaterThan(0);
  }
  // The same story in the events: it opened, probed, and a probe closed it.
  for (const tier of e.opened) {
    const seen = new Set(r.circuits.filter((c) => c.tier === tier).map((c) => `${c.from}->${c.to}`));
    for (const t of ['closed->open', 'open->half-open', 'half-open->closed'])
      expect(seen.has(t), `${tier} circuit event ${t}`).toBe(true);
  }
  expect(r.heapGrowthBytes, 'heap growth').toBeLessThan((e.heapBoundMB ?? 12) * 2 ** 20);
}
