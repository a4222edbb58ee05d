import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  coldImportMs,
  freshProcessMs,
  installProject,
  measureNodeModules,
  packPackage,
} from '../../scripts/install-project.mjs';
import { writeResults } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';

// What installing and starting a cache costs a user: install size and package count of the core against its peers
// (each installed alone into an empty project, flat node_modules), cold `import()` time and the time to a first
// set + get in a fresh process. Alternating rounds, medians: this machine is noisy.
const ROUNDS = 7;
const coreDir = fileURLToPath(new URL('../../sdk/core/', import.meta.url));

interface Contestant {
  name: string;
  install: (tarball: string) => string[];
  specifier: string;
  /** ESM body run in a fresh process: creates a cache, sets and gets one key. */
  firstUse: string;
}

const contestants: Contestant[] = [
  {
    name: 'omnicache (core)',
    install: (t) => [t],
    specifier: 'omnicache',
    firstUse: `const { createCache } = await import('omnicache');
      const c = createCache({ name: 'b', l1: { capacity: 1000 } }); await c.set('k', { v: 1 }); await c.get('k');`,
  },
  {
    name: 'bentocache 1.6.1',
    install: () => ['bentocache@1.6.1'],
    specifier: 'bentocache',
    firstUse: `const { BentoCache, bentostore } = await import('bentocache');
      const { memoryDriver } = await import('bentocache/drivers/memory');
      const c = new BentoCache({ default: 'm', stores: { m: bentostore().useL1Layer(memoryDriver({ maxItems: 1000 })) } });
      await c.set({ key: 'k', value: { v: 1 } }); await c.get({ key: 'k' });`,
  },
  {
    name: 'cache-manager 7.2.9',
    install: () => ['cache-manager@7.2.9', 'keyv@5.6.0'],
    specifier: 'cache-manager',
    firstUse: `const { createCache } = await import('cache-manager');
      const c = createCache(); await c.set('k', { v: 1 }); await c.get('k');`,
  },
  {
    name: 'lru-cache 11.5.3',
    install: () => ['lru-cache@11.5.3'],
    specifier: 'lru-cache',
    firstUse: `const { LRUCache } = await import('lru-cache');
      const c = new LRUCache({ max: 1000 }); c.set('k', { v: 1 }); c.get('k');`,
  },
];

export async function packagingBench(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'omnicache-bench-packaging-'));
  try {
    const tarball = packPackage(coreDir, join(work, 'pack'));
    const projects = contestants.map((c, i) => {
      const dir = join(work, `p${i}`);
      installProject(dir, c.install(tarball));
      return { ...c, dir, size: measureNodeModules(dir) };
    });
    const importMs = projects.map(() => [] as number[]);
    const firstUseMs = projects.map(() => [] as number[]);
    for (let round = 0; round <= ROUNDS; round++) {
      projects.forEach((p, i) => {
        const imp = coldImportMs(p.dir, p.specifier);
        const use = freshProcessMs(p.dir, p.firstUse);
        if (round > 0) {
          importMs[i]!.push(imp); // round 0 warms the OS file cache
          firstUseMs[i]!.push(use);
        }
      });
    }
    const base = median(importMs[1]!);
    const rows = projects.map((p, i) => ({
      name: p.name,
      packages: p.size.packages,
      megabytes: p.size.bytes / 1e6,
      importMedianMs: median(importMs[i]!),
      importP10Ms: quantile(importMs[i]!, 0.1),
      importP90Ms: quantile(importMs[i]!, 0.9),
      importVsBentocache: median(importMs[i]!) / base,
      firstUseMedianMs: median(firstUseMs[i]!),
      installed: p.size.names,
    }));
    const core = rows[0]!;
    writeResults('packaging', { rounds: ROUNDS, node: process.version, contestants: rows }, [
      {
        title: `Install and start-up (fresh process each sample, ${ROUNDS} alternating rounds after a warm-up, medians)`,
        columns: [
          'package',
          'packages',
          'MB',
          'cold import ms',
          'p10–p90',
          'vs bentocache',
          'import + first set/get ms',
        ],
        rows: rows.map((r) => [
          r.name,
          String(r.packages),
          r.megabytes,
          r.importMedianMs,
          `${r.importP10Ms.toFixed(1)}–${r.importP90Ms.toFixed(1)}`,
          `${r.importVsBentocache.toFixed(2)}x`,
          r.firstUseMedianMs,
        ]),
        notes: [
          `Targets for the core: <= 15 packages (${core.packages}: ${core.packages <= 15 ? 'met' : 'NOT met'}), <= 10 MB (${core.megabytes.toFixed(2)}: ${core.megabytes <= 10 ? 'met' : 'NOT met'}), cold import <= 1.5x BentoCache (${core.importVsBentocache.toFixed(2)}x: ${core.importVsBentocache <= 1.5 ? 'met' : 'NOT met'}).`,
          'Each package installed alone into an empty project with a flat node_modules (pnpm --config.node-linker=hoisted, offline from the workspace store); omnicache from its npm pack tarball. Sizes are bytes of files on disk.',
          `omnicache core installs: ${core.installed.join(', ')}. zod and msgpackr load on first use (createCache, first remote value), so they count in the last column, not in the import.`,
          'Time measured inside the child from just before import() to after it (or after the first get): Node start-up itself is excluded.',
        ],
      },
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
