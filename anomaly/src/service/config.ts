// The service's configuration file (YAML or JSON), validated with zod. Production defaults are documented here and
// in the README; tests use short intervals.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DIRECTIONS } from './direction.js';
import { parseDuration, promDuration } from './duration.js';
import { SERIES_PRESET_NAMES, SERIES_PRESETS } from './presets.js';

const duration = z.union([z.number().positive(), z.string()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const httpUrl = z.url({ protocol: /^https?$/ });

const seriesSchema = z
  .object({
    /** Name of the watched series (alert label, metric label). */
    name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'letters, digits and _ only'),
    /** A built-in query over the conventions' names ... */
    preset: z.enum(SERIES_PRESET_NAMES as [string, ...string[]]).optional(),
    /** ... or your own PromQL (instant vector). */
    query: z.string().min(1).optional(),
    /** `counter`: the query returns a raw counter; the service scores its increase per interval and skips resets. */
    kind: z.enum(['gauge', 'counter']).default('gauge'),
    /** Alert name in Alertmanager (default: from the preset, else OmniCacheAnomaly). */
    alertname: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
      .optional(),
    severity: z.string().default('warning'),
    summary: z.string().optional(),
    /** Runbook page name under docs/runbooks/ (without .md). */
    runbook: z.string().optional(),
    /**
     * Practical significance: an alert only starts when the value is at least this far from the series' recent median,
     * relative to it (1 = twice or zero). Default: the preset's (hit_ratio 0.1, remote_latency_p50 9, remote_latency_mean 9, remote_latency_p99 2, loader 0), else 0.
     */
    minRelativeChange: z.number().min(0).optional(),
    /**
     * Which way of a move alerts: `up`, `down` or `both`; a move the other way scores as usual (metrics) but never
     * fires and counts as recovered. Default: the preset's (hit_ratio down, latency and loader errors up), else both.
     */
    direction: z.enum(DIRECTIONS).optional(),
    /** Range of rate() in this series' preset query (default: the top-level rateWindow). */
    rateWindow: duration.optional(),
  })
  .refine((s) => (s.preset ? !s.query : !!s.query), { message: 'give exactly one of preset or query' });

export const configSchema = z.object({
  prometheus: z.object({
    url: httpUrl,
    /** Per-request timeout: a slow Prometheus skips the evaluation, it does not stall the loop. */
    timeout: duration.default(10_000),
  }),
  alertmanager: z.object({ url: httpUrl, timeout: duration.default(10_000) }).optional(),
  /** Time between evaluations (production default 30s). */
  evaluationInterval: duration.default(30_000),
  /** History read with query_range on start (production default 7d; capped at 11000 points per series). */
  backfill: duration.default(7 * 86_400_000),
  /** Range of rate() in the preset queries (production default 5m). */
  rateWindow: duration.default(300_000),
  /** A series absent this long is forgotten (its alert resolved). */
  forgetAfter: duration.default(3_600_000),
  /** At most this many series are tracked (all queries together); points of further series are counted, not scored. */
  maxSeries: z.number().int().positive().default(1000),
  listen: z
    .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9466) })
    .prefault({}),
  /** Where TF.js models are saved (one folder per series); unset: models are not persisted. */
  stateDir: z.string().optional(),
  /** How often models are saved. */
  saveInterval: duration.default(600_000),
  tfjs: z
    .object({
      enabled: z.boolean().default(true),
      /** First training after this many points per series (default 256), then every `retrainEvery` (1024). */
      firstTrainAfter: z.number().int().min(32).optional(),
      retrainEvery: z.number().int().min(32).optional(),
    })
    .prefault({}),
  /** Weight of each detector in the ensemble's maximum (robust_z, ewma, seasonal, cusum, tfjs; default 1 each). */
  weights: z.record(z.string(), z.number().min(0).max(1)).default({}),
  alerting: z
    .object({
      /** Score at or above which an evaluation counts as anomalous. */
      fireAt: z.number().min(0).max(1).default(0.5),
      /** Score below which an evaluation counts as recovered (hysteresis: below fireAt). */
      resolveBelow: z.number().min(0).max(1).default(0.3),
      /** Consecutive anomalous evaluations before the alert fires. */
      fireAfter: z.number().int().min(1).default(1),
      /** Consecutive recovered evaluations before it resolves. */
      resolveAfter: z.number().int().min(1).default(3),
      /** Link prefix of the runbooks (the page name and .md are appended). */
      runbookBaseUrl: z.string().default('https://github.com/omnicache/omnicache/blob/main/docs/runbooks/'),
    })
    .prefault({})
    .refine((a) => a.resolveBelow <= a.fireAt, { message: 'resolveBelow must not exceed fireAt' }),
  series: z.array(seriesSchema).min(1),
});

export type AnomalyConfig = z.output<typeof configSchema>;
export type AnomalyConfigInput = z.input<typeof configSchema>;
export type SeriesConfig = AnomalyConfig['series'][number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates a configuration object; the error lists every problem with its path. */
export function parseConfig(input: unknown): AnomalyConfig {
  const r = configSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new ConfigError(`invalid anomaly service configuration:\n${problems}`);
  }
  return r.data;
}

export function loadConfig(file: string): AnomalyConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read configuration ${file}: ${(err as Error).message}`);
  }
  return parseConfig(raw);
}

/** The PromQL, alert name, summary and runbook of a watched series. */
export function resolveSeries(s: SeriesConfig, rateWindowMs: number) {
  const preset = s.preset ? SERIES_PRESETS[s.preset as keyof typeof SERIES_PRESETS] : undefined;
  return {
    query: preset ? preset.query(promDuration(s.rateWindow ?? rateWindowMs)) : s.query!,
    alertname: s.alertname ?? preset?.runbook ?? 'OmniCacheAnomaly',
    summary: s.summary ?? preset?.summary ?? `${s.name} is anomalous`,
    runbook: s.runbook ?? preset?.runbook ?? 'OmniCacheAnomaly',
    minRelativeChange: s.minRelativeChange ?? preset?.minRelativeChange ?? 0,
    direction: s.direction ?? preset?.direction ?? 'both',
  };
}
