import type { ViewName } from './transforms/series-names.js';

/** Options of the panel (built with the panel options builder in module.ts). */
export interface PanelOptions {
  /** Which view the panel shows. */
  view: ViewName;
  /** Cache name (label omnicache_cache_name); empty = the first cache in the data. */
  cache: string;
  /** ARC view: draw the ghost lists B1/B2 and their hit rates under the resident lists. */
  showGhosts: boolean;
  /** ARC view: half-width of the band around p/c = 0.5 inside which no policy shift is marked. */
  shiftHysteresis: number;
  /** Audit view: most rows shown in the table (newest first). */
  auditRows: number;
}

export const DEFAULT_OPTIONS: PanelOptions = {
  view: 'arc',
  cache: '',
  showGhosts: true,
  shiftHysteresis: 0.1,
  auditRows: 200,
};
