// The release archive of the panel plugin as Grafana installs it: one folder named by the plugin id with the AMD
// module, plugin.json (the fields Grafana requires) and the files it names. (Grafana's plugin-validator is not
// buildable here: its Go module is not served by the module proxy this machine reaches.)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGrafanaPlugin, PLUGIN_DIR } from '../services/grafana-plugin-build.js';

/** What Grafana shares with plugins at run time: the externals of the plugin's webpack build. */
const GRAFANA_SHARED = (
  createRequire(import.meta.url)(join(PLUGIN_DIR, 'webpack.config.cjs')) as { EXTERNALS: string[] }
).EXTERNALS;

interface PluginJson {
  type: string;
  name: string;
  id: string;
  info: {
    description: string;
    author: { name: string };
    keywords: string[];
    logos: { small: string; large: string };
    version: string;
    updated: string;
  };
  dependencies: { grafanaDependency: string };
}

describe('grafana-plugin package', () => {
  let files: Record<string, Uint8Array>;
  let zipName: string;

  beforeAll(async () => {
    await buildGrafanaPlugin();
    const dir = join(PLUGIN_DIR, 'dist-zip');
    const zips = readdirSync(dir).filter((f) => f.endsWith('.zip'));
    expect(zips).toHaveLength(1);
    zipName = zips[0]!;
    files = unzipSync(readFileSync(join(dir, zipName)));
  }, 180_000);

  const text = (name: string) => new TextDecoder().decode(files[name]);

  it('is one folder named by the plugin id, with module.js, plugin.json, the logos and the README', () => {
    const names = Object.keys(files).sort();
    expect(new Set(names.map((n) => n.split('/')[0]))).toEqual(new Set(['omnicache-cache-panel']));
    expect(names).toEqual(
      expect.arrayContaining([
        'omnicache-cache-panel/module.js',
        'omnicache-cache-panel/plugin.json',
        'omnicache-cache-panel/README.md',
        'omnicache-cache-panel/img/logo.svg',
      ]),
    );
    expect(names.filter((n) => n.endsWith('.map'))).toEqual([]);
    expect(zipName).toBe(
      `omnicache-cache-panel-${JSON.parse(text('omnicache-cache-panel/plugin.json')).info.version}.zip`,
    );
  });

  it('plugin.json has the fields Grafana requires, with placeholders filled in', () => {
    const p = JSON.parse(text('omnicache-cache-panel/plugin.json')) as PluginJson;
    expect(p.type).toBe('panel');
    expect(p.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*-panel$/);
    expect(p.name.length).toBeGreaterThan(0);
    expect(p.info.description.length).toBeGreaterThan(0);
    expect(p.info.author.name.length).toBeGreaterThan(0);
    expect(p.info.keywords.length).toBeGreaterThan(0);
    expect(p.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(p.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(p.dependencies.grafanaDependency).toMatch(/^>=\d+\.\d+\.\d+$/);
    for (const logo of [p.info.logos.small, p.info.logos.large])
      expect(files[`omnicache-cache-panel/${logo}`]).toBeDefined();
  });

  it('module.js is an AMD module that requires only what Grafana shares', () => {
    const js = text('omnicache-cache-panel/module.js');
    const m = /^define\((\[[^\]]*\])/.exec(js);
    expect(m, 'starts with define([...]').not.toBeNull();
    const deps = JSON.parse(m![1]!) as string[];
    expect(deps.length).toBeGreaterThan(0);
    expect(GRAFANA_SHARED).toEqual(
      expect.arrayContaining(['react', 'react-dom', '@grafana/ui', '@grafana/data']),
    );
    for (const d of deps) expect(GRAFANA_SHARED, d).toContain(d);
    // the SDK's conventions are bundled (browser-safe), not required at run time
    expect(deps.some((d) => d.startsWith('omnicache'))).toBe(false);
    expect(js).toContain('"omnicache.arc.target"');
  });
});
