// The daemon as users start it: `omnicache-anomaly run --config FILE` serves /metrics, keeps running with
// Prometheus unreachable (counting the failures), rejects a bad config with a clear message, and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/omnicache-anomaly.js', import.meta.url));

function start(config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'anomaly-cli-'));
  const file = join(dir, 'anomaly.yml');
  writeFileSync(file, config);
  const child = spawn(process.execPath, [BIN, 'run', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('omnicache-anomaly run', () => {
  it('serves /metrics with Prometheus down, and exits 0 on SIGTERM', async () => {
    const p = start(
      'prometheus: { url: "http://127.0.0.1:9", timeout: 200ms }\nevaluationInterval: 200ms\nbackfill: 1m\ntfjs: { enabled: false }\nlisten: { port: 0 }\nseries:\n  - { name: hit_ratio, preset: hit_ratio }\n',
    );
    let url = '';
    for (let i = 0; i < 100 && !url; i++) {
      url = /serving (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(p.stderr())?.[1] ?? '';
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, p.stderr()).not.toBe('');
    expect(await (await fetch(`${url}/-/healthy`)).text()).toBe('ok\n');
    await new Promise((r) => setTimeout(r, 1000));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const errors = /omnicache_anomaly_query_errors_total\{[^}]*unreachable"\} (\d+)/.exec(metrics);
    expect(Number(errors?.[1])).toBeGreaterThanOrEqual(2); // back-fill + evaluations, all counted
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('rejects an invalid configuration with the problem and exit code 1', async () => {
    const p = start('prometheus: { url: "not a url" }\nseries: []\n');
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain('invalid anomaly service configuration');
    expect(p.stderr()).toContain('prometheus.url');
    expect(p.stderr()).toContain('series');
  });
});
