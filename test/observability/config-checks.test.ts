// The configuration in collector-config/ passes the real tools: promtool (rule unit tests, check rules,
// check config), amtool check-config, and the collector's own `validate` (built by test/services).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { collectorEnv, requireExecutable, validateCollectorConfig } from '../services/index.js';
import {
  collectorConfigDir,
  otelcolConfig,
  renderAlertmanager,
  renderPrometheus,
  tracesForwardingEnv,
} from './configs.js';

const run = promisify(execFile);

async function tool(
  binary: string,
  args: string[],
  cwd = collectorConfigDir,
): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(requireExecutable(binary), args, { cwd, timeout: 60_000 });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'omnicache-config-checks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
}

const ports = { otlpGrpc: 14317, otlpHttp: 14318, prometheus: 18889, health: 13133 };

describe('collector-config passes the real tools', () => {
  it('promtool test rules: every alert fires and stays silent where its unit tests say', async () => {
    const files = readdirSync(join(collectorConfigDir, 'rules', 'tests'))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => join('rules', 'tests', f));
    expect(files.length).toBeGreaterThanOrEqual(7);
    const r = await tool('promtool', ['test', 'rules', ...files]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  it('promtool check rules', async () => {
    const r = await tool('promtool', ['check', 'rules', 'rules/recording.yml', 'rules/alerts.yml']);
    expect(r.ok, r.output).toBe(true);
  });

  it('promtool check config: the file as committed and as rendered for a run', async () => {
    const inPlace = await tool('promtool', ['check', 'config', 'prometheus.yml']);
    expect(inPlace.ok, inPlace.output).toBe(true);
    expect(inPlace.output).not.toMatch(/WARNING/);
    const dir = join(scratch, 'prometheus');
    const { config, files } = renderPrometheus(
      { sdk: ['127.0.0.1:9464'], collector: ['127.0.0.1:8889'], alertmanager: ['127.0.0.1:9093'] },
      2,
    );
    writeTree(dir, { 'prometheus.yml': config, ...files });
    const rendered = await tool('promtool', ['check', 'config', 'prometheus.yml'], dir);
    expect(rendered.ok, rendered.output).toBe(true);
    expect(rendered.output).not.toMatch(/WARNING/);
  });

  it('amtool check-config: the file as committed and with the webhook URL set', async () => {
    const inPlace = await tool('amtool', ['check-config', 'alertmanager.yml']);
    expect(inPlace.ok, inPlace.output).toBe(true);
    const file = join(scratch, 'alertmanager.yml');
    writeFileSync(file, renderAlertmanager('http://127.0.0.1:45678/hook'));
    const rendered = await tool('amtool', ['check-config', file]);
    expect(rendered.ok, rendered.output).toBe(true);
  });

  it('otelcol validate: default environment, harness ports, and trace forwarding on', async () => {
    const config = otelcolConfig();
    const defaults = await validateCollectorConfig(config);
    expect(defaults.ok, defaults.output).toBe(true);
    const harness = await validateCollectorConfig(
      config,
      collectorEnv(ports, 'http://127.0.0.1:19090/api/v1/write'),
    );
    expect(harness.ok, harness.output).toBe(true);
    const forwarding = await validateCollectorConfig(config, tracesForwardingEnv('http://127.0.0.1:24318'));
    expect(forwarding.ok, forwarding.output).toBe(true);
    // the exporter list really comes from the environment: an unknown exporter is rejected
    const wrong = await validateCollectorConfig(config, {
      OMNICACHE_TRACES_EXPORTERS: '[debug, otlp_http/nope]',
    });
    expect(wrong.ok, wrong.output).toBe(false);
  });
});
