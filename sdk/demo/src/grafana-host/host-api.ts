// What the host page exposes to tests and benchmarks as `window.omnicacheHost` (types only; page.tsx implements it).
import type { DataFrame } from '@grafana/data';

export type Source =
  | { kind: 'prometheus'; url: string; queries: string[]; stepSeconds: number }
  | { kind: 'json'; url: string }
  | { kind: 'frames'; frames: DataFrame[] };

export interface RenderRequest {
  moduleUrl: string;
  title: string;
  theme: 'light' | 'dark';
  width: number;
  height: number;
  from: number;
  to: number;
  source: Source;
  options?: Record<string, unknown>;
  annotations?: { time: number; timeEnd?: number; text: string }[];
}

export interface RenderResult {
  /** Frames the panel received. */
  frames: number;
  /** The options it rendered with (the plugin's defaults merged with the request's). */
  options: Record<string, unknown>;
}

export interface RenderCostRequest {
  moduleUrl: string;
  frames: DataFrame[];
  from: number;
  to: number;
  width: number;
  height: number;
}

export interface HostApi {
  /** Renders the plugin's panel; resolves once React has committed. */
  renderPanel(req: RenderRequest): Promise<RenderResult>;
  /** Same frames for the OmniCache ARC view and Grafana's TimeSeries (field overrides applied once). */
  prepareRenderCost(req: RenderCostRequest): Promise<void>;
  /** Mounts one of them (after unmounting what was there): ms to React's commit, and to two frames later. */
  mountForCost(which: 'omnicache' | 'timeseries'): Promise<{ commitMs: number; paintMs: number }>;
  unmount(): void;
  /** A frame as Grafana's Prometheus data source returns one series. */
  seriesFrame(name: string, labels: Record<string, string>, times: number[], values: number[]): DataFrame;
  ready: true;
}

declare global {
  interface Window {
    omnicacheHost: HostApi;
  }
}
