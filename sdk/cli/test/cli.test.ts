import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'omnicache-cli-'));
function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('omnicache simulate (built CLI)', () => {
  it('replays a keys trace and prints exactly one JSON object', () => {
    // a b a c a b, capacity 2: LRU hits on the 3rd (a) and 5th (a) access.
    const trace = file('small.keys', 'a\nb\na\nc\na\nb\n');
    const out = runCli([
      'simulate',
      '--trace',
      trace,
      '--format',
      'keys',
      '--capacity',
      '2',
      '--policy',
      'lru,arc',
      '--json',
    ]);
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      trace,
      accesses: 6,
      results: [
        { policy: 'lru', capacity: 2, hits: 2, misses: 4, hitRatio: 2 / 6 },
        { policy: 'arc', capacity: 2, hits: 2, misses: 4, hitRatio: 2 / 6 },
      ],
    });
  });

  it('reads gzip, skips lirs comment lines, and gives the same answer single- and multi-threaded', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => String((i * 7919) % 613)).join('\n');
    const trace = file('t.trace.gz', gzipSync(`*header\n${keys}\n`));
    const args = ['simulate', '--trace', trace, '--format', 'lirs', '--capacity', '50,100,200', '--json'];
    const one = JSON.parse(runCli([...args, '--threads', '1']).stdout);
    const two = JSON.parse(runCli([...args, '--threads', '2']).stdout);
    expect(one.accesses).toBe(5000);
    expect(two).toEqual(one);
  });

  it('prints a table by default and writes the ARC chart', () => {
    const trace = file('loop.keys', Array.from({ length: 3000 }, (_, i) => String(i % 120)).join('\n'));
    const chart = join(dir, 'arc.svg');
    const out = runCli(['simulate', '--trace', trace, '--capacity', '100', '--chart', chart]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/\| capacity \| arc hit % \| lru hit % \| arc - lru \|/);
    // A 120-key loop through 100 slots: LRU never hits.
    expect(out.stdout).toMatch(/\|\s+100 \|\s+[\d.]+ \|\s+0\.00 \|/);
    const svg = readFileSync(chart, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('c = 100');
    expect((svg.match(/<polyline/g) ?? []).length).toBe(5);
  });

  it('names the file and line of a malformed line and exits non-zero', () => {
    const trace = file('bad.lis', '1 1 0 0\n2 x 0 1\n');
    const out = runCli(['simulate', '--trace', trace, '--format', 'arc', '--capacity', '10']);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain(`${trace}:2: malformed arc trace line "2 x 0 1"`);
    expect(out.stdout).toBe('');
  });

  it('lists the valid formats and policies for unknown ones', () => {
    const trace = file('ok.keys', 'a\n');
    const f = runCli(['simulate', '--trace', trace, '--format', 'csv', '--capacity', '10']);
    expect(f.status).not.toBe(0);
    expect(f.stderr).toContain('unknown trace format "csv"; valid formats: arc, lirs, keys');
    const p = runCli(['simulate', '--trace', trace, '--capacity', '10', '--policy', 'arc,lfu']);
    expect(p.status).not.toBe(0);
    expect(p.stderr).toContain('unknown policy "lfu"; valid policies: arc, lru');
  });

  it('reports a missing trace file clearly', () => {
    const out = runCli(['simulate', '--trace', join(dir, 'nope.gz'), '--capacity', '10']);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/cannot read trace file .*nope\.gz/);
  });
});
