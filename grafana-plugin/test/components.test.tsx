// Component tests: the panel with real PanelProps (as the host builds them), the real @grafana/ui and
// @grafana/data, in jsdom; each view in the dark (default) and light theme.
import { createDataFrame, createTheme, type DataFrame, FieldType, ThemeContext } from '@grafana/data';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { panelProps } from '../../sdk/demo/page/panel-props.js';
import { OmniCachePanel } from '../src/components/OmniCachePanel.js';
import { SERIES } from '../src/transforms/series-names.js';
import { DEFAULT_OPTIONS, type PanelOptions } from '../src/types.js';
import { sampleAuditRecords } from './audit-records.js';
import { at, seriesFrame, T0, times } from './frames.js';

afterEach(cleanup);

const T = times(6);
const L = { omnicache_cache_name: 'users' };

function arcFrames(): DataFrame[] {
  const list = (name: string, l: string, v: number[]) =>
    seriesFrame(name, { ...L, omnicache_arc_list: l }, T, v);
  return [
    seriesFrame(SERIES.arcCapacity, L, T, [100, 100, 100, 100, 100, 100]),
    seriesFrame(SERIES.arcTarget, L, T, [10, 20, 80, 80, 30, 12.5]),
    list(SERIES.arcListSize, 't1', [10, 20, 30, 40, 50, 60]),
    list(SERIES.arcListSize, 't2', [90, 80, 70, 60, 50, 40]),
    list(SERIES.arcListSize, 'b1', [0, 5, 10, 15, 20, 25]),
    list(SERIES.arcListSize, 'b2', [0, 1, 2, 3, 4, 7]),
    list(SERIES.arcGhostHits, 'b1', [0, 15, 45, 45, 75, 75]),
    list(SERIES.arcGhostHits, 'b2', [0, 0, 0, 30, 30, 60]),
  ];
}

function tierFrames(): DataFrame[] {
  const c = (name: string, labels: Record<string, string>, v: number[]) =>
    seriesFrame(name, { ...L, ...labels }, T, v);
  const req = (tier: string, result: string, v: number[]) =>
    c(SERIES.requests, { omnicache_tier: tier, omnicache_result: result }, v);
  return [
    req('l1', 'hit', [0, 10, 20, 30, 40, 50]),
    req('l1', 'miss', [0, 5, 10, 15, 20, 25]),
    req('l2', 'hit', [0, 2, 4, 6, 8, 10]),
    req('l2', 'miss', [0, 3, 6, 9, 12, 15]),
    c(
      SERIES.tierMovements,
      { omnicache_movement_from: 'l2', omnicache_movement_to: 'l1' },
      [0, 2, 4, 6, 8, 10],
    ),
    c(SERIES.evictions, { omnicache_tier: 'l1', omnicache_eviction_reason: 'capacity' }, [0, 1, 2, 3, 4, 9]),
    c(SERIES.loaderCalls, { omnicache_outcome: 'success' }, [0, 3, 6, 9, 12, 15]),
  ];
}

function auditFrame(): DataFrame {
  const records = sampleAuditRecords(12, T0, 5_000);
  return createDataFrame({
    fields: (['sequence', 'time', 'actor', 'action', 'target', 'outcome', 'prevHash', 'hash'] as const).map(
      (k) => ({
        name: k,
        type: k === 'time' ? FieldType.time : k === 'sequence' ? FieldType.number : FieldType.string,
        values: records.map((r) => r[k]),
      }),
    ),
  });
}

function renderPanel(
  frames: DataFrame[],
  options: Partial<PanelOptions>,
  mode: 'dark' | 'light' = 'dark',
  extra: { width?: number; height?: number; annotations?: DataFrame[] } = {},
) {
  const theme = createTheme({ colors: { mode } });
  const props = (width: number, height: number) =>
    panelProps<PanelOptions>({
      frames,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      options: { ...DEFAULT_OPTIONS, ...options },
      from: T[0]!,
      to: T[T.length - 1]!,
      width,
      height,
      theme,
    });
  const ui = (width: number, height: number) => (
    <ThemeContext.Provider value={theme}>
      <OmniCachePanel {...props(width, height)} />
    </ThemeContext.Provider>
  );
  const result = render(ui(extra.width ?? 800, extra.height ?? 400));
  return { ...result, resize: (width: number, height: number) => result.rerender(ui(width, height)) };
}

const legendValue = (label: string) =>
  document.querySelector(`[data-legend="${label}"] [data-testid="legend-value"]`)?.textContent;

describe.each(['dark', 'light'] as const)('OmniCache panel (%s theme)', (mode) => {
  it('ARC view: legend with the last values, points drawn for every series, the policy shifts', () => {
    renderPanel(arcFrames(), { view: 'arc' }, mode);
    expect(screen.getByTestId('omnicache-arc-view')).toBeTruthy();
    expect(legendValue('capacity c')).toBe('100');
    expect(legendValue('target p')).toBe('12.5');
    expect(legendValue('T1 (recency)')).toBe('60');
    expect(legendValue('B2 ghosts')).toBe('7');
    expect(legendValue('B2 ghost hits/s')).toBe('2.00');
    expect(legendValue('policy shifts')).toBe('2');
    const points = [...document.querySelectorAll('canvas')]
      .flatMap((c) => (c.getAttribute('data-points') ?? '').split(';'))
      .map((kv) => kv.split('='));
    expect(points.map(([label]) => label)).toEqual([
      'T1 (recency)',
      'T2 (frequency)',
      'target p',
      'capacity c',
      'B1 ghosts',
      'B2 ghosts',
      'B1 ghost hits/s',
      'B2 ghost hits/s',
    ]);
    // six samples each; the ghost-hit rates have none at the first; a constant series (T1+T2, c) is two points
    expect(points.map(([, n]) => Number(n))).toEqual([6, 2, 6, 2, 6, 6, 5, 5]);
    expect(document.querySelectorAll('[data-mark^="policy → "]').length).toBe(4); // 2 shifts x 2 panes
  });

  it('ARC view marks anomaly annotations and follows the panel size', () => {
    const annotations = [
      createDataFrame({
        fields: [
          { name: 'time', type: FieldType.time, values: [at(2)] },
          { name: 'timeEnd', type: FieldType.time, values: [at(3)] },
          { name: 'text', type: FieldType.string, values: ['hit ratio drop'] },
        ],
      }),
    ];
    const { resize } = renderPanel(arcFrames(), { view: 'arc' }, mode, { annotations });
    expect(document.querySelectorAll('[data-mark="anomaly: hit ratio drop"]').length).toBe(2);
    const widths = () => [...document.querySelectorAll('canvas')].map((c) => c.getAttribute('style'));
    expect(widths()[0]).toContain('width: 800px');
    resize(500, 300);
    expect(widths()[0]).toContain('width: 500px');
    const svgHeights = [...document.querySelectorAll('svg[role="img"]')].map((s) =>
      Number(s.getAttribute('height')),
    );
    expect(svgHeights.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300);
  });

  it('ARC view hover shows each list at the nearest sample (T2 as itself, not stacked)', () => {
    renderPanel(arcFrames(), { view: 'arc' }, mode);
    const svg = screen.getByTestId('arc-chart').querySelector('svg')!;
    svg.getBoundingClientRect = () => ({
      left: 0,
      top: 0,
      right: 800,
      bottom: 300,
      width: 800,
      height: 300,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    // plot starts 44 px in and is 712 px wide: sample 3 of 0..5 is at 44 + 0.6 * 712
    fireEvent.mouseMove(svg, { clientX: 44 + 0.6 * 712, clientY: 100 });
    const tip = screen.getByRole('tooltip').textContent ?? '';
    expect(tip).toContain('T1 (recency): 40');
    expect(tip).toContain('T2 (frequency): 60');
    expect(tip).toContain('target p: 80');
  });

  it('ARC view without ghosts draws one chart', () => {
    renderPanel(arcFrames(), { view: 'arc', showGhosts: false }, mode);
    expect(document.querySelectorAll('[data-pane]')).toHaveLength(1);
    expect(document.querySelector('canvas')?.getAttribute('data-points')).not.toContain('B1');
    expect(legendValue('B1 ghosts')).toBeUndefined();
  });

  it('ARC view names the missing series', () => {
    renderPanel(arcFrames().slice(0, 2), { view: 'arc' }, mode);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(SERIES.arcListSize);
    expect(alert.textContent).toContain(SERIES.arcGhostHits);
    expect(alert.textContent).not.toContain(SERIES.arcTarget);
  });

  it('tier view: edges with totals, evictions by reason, numbers on hover', () => {
    renderPanel(tierFrames(), { view: 'tiers' }, mode);
    const total = (id: string) => document.querySelector(`[data-edge="${id}"]`)?.getAttribute('data-total');
    expect(total('lookup:requests->l1')).toBe('75');
    expect(total('miss:l1->l2')).toBe('25');
    expect(total('load:l2->loader')).toBe('15');
    expect(total('promotion:l2->l1')).toBe('10');
    expect(document.querySelector('[data-evictions="l1"] [data-reason="capacity"]')?.textContent).toBe(
      '9 (0.120/s)',
    );
    fireEvent.mouseOver(document.querySelector('[data-edge="miss:l1->l2"] path')!);
    expect(screen.getByTestId('tier-detail').textContent).toBe('miss L1 → L2: 25 (0.333/s)');
  });

  it('tier view: prefetch as a source of L1 entries, with issued, used and wasted', () => {
    const c = (name: string, labels: Record<string, string>, v: number[]) =>
      seriesFrame(name, { ...L, ...labels }, T, v);
    renderPanel(
      [
        ...tierFrames(),
        c(SERIES.prefetchHints, {}, [0, 8, 16, 24, 32, 40]),
        c(SERIES.prefetchIssued, {}, [0, 4, 8, 12, 16, 20]),
        c(SERIES.prefetchResults, { omnicache_prefetch_result: 'used' }, [0, 3, 6, 9, 12, 15]),
        c(SERIES.prefetchResults, { omnicache_prefetch_result: 'wasted' }, [0, 1, 2, 3, 4, 5]),
        c(SERIES.prefetchDropped, { omnicache_prefetch_drop_reason: 'rate_limit' }, [0, 0, 1, 1, 2, 3]),
      ],
      { view: 'tiers' },
      mode,
    );
    const edge = document.querySelector('[data-edge="prefetch:prefetch->l1"]');
    expect(edge?.getAttribute('data-total')).toBe('20');
    expect(edge?.textContent).toContain('issued 0.267/s');
    const node = document.querySelector('[data-node="prefetch"]');
    expect(node?.textContent).toContain('used 15');
    expect(node?.textContent).toContain('wasted 5');
    const cell = (k: string) => document.querySelector(`[data-prefetch="${k}"]`)?.textContent;
    expect(cell('issued')).toBe('20 (0.267/s)');
    expect(cell('used')).toBe('15 (0.200/s)');
    expect(cell('wasted')).toBe('5 (0.067/s)');
    expect(cell('precision')).toBe('75.0%');
    expect(cell('rate_limit')).toBe('3 (0.040/s)');
    fireEvent.mouseOver(document.querySelector('[data-edge="prefetch:prefetch->l1"] path')!);
    expect(screen.getByTestId('tier-detail').textContent).toBe('prefetch → L1: issued 20 (0.267/s)');
    fireEvent.mouseOver(document.querySelector('[data-node="prefetch"] rect')!);
    expect(screen.getByTestId('tier-detail').textContent).toContain('used 15 (0.200/s), wasted 5 (0.067/s)');
  });

  it('tier view without prefetch counters has no prefetch source', () => {
    renderPanel(tierFrames(), { view: 'tiers' }, mode);
    expect(document.querySelector('[data-node="prefetch"]')).toBeNull();
    expect(document.querySelector('[data-prefetch-row]')).toBeNull();
  });

  it('tier view names the missing counters', () => {
    renderPanel(
      tierFrames().filter((f) => f.fields[1]!.labels!.__name__ !== SERIES.evictions),
      { view: 'tiers' },
      mode,
    );
    expect(screen.getByRole('alert').textContent).toContain(SERIES.evictions);
  });

  it('audit view: chain status, filters, table', () => {
    renderPanel([auditFrame()], { view: 'audit' }, mode);
    expect(screen.getByTestId('audit-chain').textContent).toBe('chain: linked, 12 records (#1–#12)');
    const table = screen.getByRole('table', { name: 'audit events' });
    expect(within(table).getAllByRole('row')).toHaveLength(13);
    fireEvent.click(screen.getByRole('button', { name: 'key.rotate' }));
    expect(screen.getByTestId('audit-count').textContent).toBe('3 of 12 events');
    expect(within(table).getAllByRole('row')).toHaveLength(4);
  });

  it('audit view names the fields a frame lacks', () => {
    const frame = createDataFrame({ fields: [{ name: 'time', type: FieldType.time, values: [at(0)] }] });
    renderPanel([frame], { view: 'audit' }, mode);
    expect(screen.getByRole('alert').textContent).toContain('prevHash');
  });
});
