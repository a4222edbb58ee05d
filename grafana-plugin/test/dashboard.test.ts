// @vitest-environment node
// The provisioned dashboard (collector-config/grafana/dashboards/omnicache.json) gives each view of the panel the
// queries the view reads (the collector-config tests check its names against the conventions).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { viewQueries } from '../src/transforms/series-names.js';
import { DEFAULT_OPTIONS } from '../src/types.js';

interface Panel {
  type: string;
  options?: Record<string, unknown>;
  targets?: { expr?: string }[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../collector-config/grafana/dashboards/omnicache.json', import.meta.url), 'utf8'),
) as { panels: Panel[] };
const panels = dashboard.panels.filter((p) => p.type === 'omnicache-cache-panel');

describe('provisioned dashboard', () => {
  it('has one panel per view', () => {
    expect(panels.map((p) => p.options?.view).sort()).toEqual(['arc', 'audit', 'tiers']);
  });
  it.each(['arc', 'tiers'] as const)('the %s panel queries what the view reads', (view) => {
    const panel = panels.find((p) => p.options?.view === view)!;
    expect(panel.targets?.map((t) => t.expr)).toEqual(viewQueries(view));
  });
  it('sets every option the plugin has, with valid values', () => {
    for (const p of panels)
      expect(Object.keys(p.options ?? {}).sort()).toEqual(Object.keys(DEFAULT_OPTIONS).sort());
  });
});
