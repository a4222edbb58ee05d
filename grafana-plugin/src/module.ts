import { PanelPlugin } from '@grafana/data';
import { OmniCachePanel } from './components/OmniCachePanel.js';
import { DEFAULT_OPTIONS, type PanelOptions } from './types.js';

export const plugin = new PanelPlugin<PanelOptions>(OmniCachePanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'view',
      name: 'View',
      description: 'What the panel shows',
      defaultValue: DEFAULT_OPTIONS.view,
      settings: {
        options: [
          { value: 'arc', label: 'ARC adaptation' },
          { value: 'tiers', label: 'Tier movement' },
          { value: 'audit', label: 'Audit events' },
        ],
      },
    })
    .addTextInput({
      path: 'cache',
      name: 'Cache',
      description: 'Cache name (label omnicache_cache_name); empty = the first cache in the data',
      defaultValue: DEFAULT_OPTIONS.cache,
      showIf: (o) => o.view !== 'audit',
    })
    .addBooleanSwitch({
      path: 'showGhosts',
      name: 'Ghost lists',
      description: 'Draw B1/B2 ghost sizes and ghost-hit rates',
      defaultValue: DEFAULT_OPTIONS.showGhosts,
      showIf: (o) => o.view === 'arc',
    })
    .addSliderInput({
      path: 'shiftHysteresis',
      name: 'Policy shift band',
      description: 'p/c must pass 0.5 ± this before a shift between recency and frequency is marked',
      defaultValue: DEFAULT_OPTIONS.shiftHysteresis,
      settings: { min: 0, max: 0.5, step: 0.05 },
      showIf: (o) => o.view === 'arc',
    })
    .addNumberInput({
      path: 'auditRows',
      name: 'Rows',
      description: 'Most audit events listed (newest first)',
      defaultValue: DEFAULT_OPTIONS.auditRows,
      settings: { min: 1, integer: true },
      showIf: (o) => o.view === 'audit',
    }),
);
