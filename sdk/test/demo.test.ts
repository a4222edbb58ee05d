import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('npm run demo shows ARC beating LRU once the pattern turns to frequency and scans', () => {
  const main = fileURLToPath(new URL('../dist/demo/main.js', import.meta.url));
  const r = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  const rows = new Map(
    [...r.stdout.matchAll(/^(recency again|recency|frequency|scan)\s+([\d.]+)%\s+([\d.]+)%/gm)].map((m) => [
      m[1],
      { arc: Number(m[2]), lru: Number(m[3]) },
    ]),
  );
  expect([...rows.keys()]).toEqual(['recency', 'frequency', 'scan', 'recency again']);
  expect(rows.get('frequency')!.arc).toBeGreaterThan(rows.get('frequency')!.lru + 5);
  expect(rows.get('scan')!.arc).toBeGreaterThan(rows.get('scan')!.lru + 5);
  // On pure recency ARC stays within a point of LRU.
  expect(Math.abs(rows.get('recency')!.arc - rows.get('recency')!.lru)).toBeLessThan(1.5);
  expect(r.stdout).toMatch(/overall: ARC [\d.]+% vs LRU [\d.]+%; ghost hits B1 \d+/);
});
