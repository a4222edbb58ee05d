// The PanelProps Grafana gives a panel: data frames (+ annotations), options (the plugin's defaults merged with the
// panel's own), time range, field config, theme-independent callbacks. Used by the host page and component tests.
import {
  type AbsoluteTimeRange,
  applyFieldOverrides,
  type DataFrame,
  dateTime,
  EventBusSrv,
  type FieldConfigSource,
  type GrafanaTheme2,
  LoadingState,
  type PanelProps,
  type TimeRange,
} from '@grafana/data';

export interface PanelPropsInput<T> {
  frames: DataFrame[];
  annotations?: DataFrame[];
  options: T;
  from: number;
  to: number;
  width: number;
  height: number;
  theme: GrafanaTheme2;
  title?: string;
}

export function timeRange(from: number, to: number): TimeRange {
  const f = dateTime(from);
  const t = dateTime(to);
  return { from: f, to: t, raw: { from: f, to: t } };
}

/** Field overrides applied the way Grafana's query runner does before a panel sees the frames (field.display). */
export function withFieldDisplay(frames: DataFrame[], theme: GrafanaTheme2, fieldConfig?: FieldConfigSource) {
  return applyFieldOverrides({
    data: frames,
    fieldConfig: fieldConfig ?? { defaults: {}, overrides: [] },
    replaceVariables: (v: string) => v,
    theme,
    timeZone: 'utc',
  });
}

export function panelProps<T>(input: PanelPropsInput<T>): PanelProps<T> {
  const range = timeRange(input.from, input.to);
  const fieldConfig: FieldConfigSource = { defaults: {}, overrides: [] };
  return {
    id: 1,
    data: {
      state: LoadingState.Done,
      series: withFieldDisplay(input.frames, input.theme, fieldConfig),
      annotations: input.annotations ?? [],
      timeRange: range,
    },
    timeRange: range,
    timeZone: 'utc',
    options: input.options,
    transparent: false,
    width: input.width,
    height: input.height,
    fieldConfig,
    renderCounter: 0,
    title: input.title ?? 'OmniCache',
    eventBus: new EventBusSrv(),
    onOptionsChange: () => undefined,
    onFieldConfigChange: () => undefined,
    replaceVariables: (v: string) => v,
    onChangeTimeRange: (_range: AbsoluteTimeRange) => undefined,
  };
}
