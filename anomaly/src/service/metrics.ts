// The service's own /metrics (prom-client), named by the SDK's conventions.
import {
  ANOMALY_ATTR,
  ANOMALY_METRICS,
  ANOMALY_MODEL_STATUS_VALUES,
  anomalyPrometheusName,
  prometheusLabel,
} from 'omnicache/conventions';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SeriesState } from './series-state.js';

const L = {
  series: prometheusLabel(ANOMALY_ATTR.series),
  labels: prometheusLabel(ANOMALY_ATTR.labels),
  detector: prometheusLabel(ANOMALY_ATTR.detector),
  reason: prometheusLabel(ANOMALY_ATTR.reason),
  status: prometheusLabel(ANOMALY_ATTR.modelStatus),
};

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly points: Counter<string>;
  private readonly rejectedCounter: Counter<string>;
  private readonly queryErrorCounter: Counter<string>;
  private readonly amErrors: Counter<string>;

  constructor(states: () => Iterable<SeriesState>, firing: () => number) {
    const r = [this.registry];
    const M = ANOMALY_METRICS;
    this.points = new Counter({
      name: anomalyPrometheusName(M.points),
      help: M.points.description,
      labelNames: [L.series],
      registers: r,
    });
    this.rejectedCounter = new Counter({
      name: anomalyPrometheusName(M.rejected),
      help: M.rejected.description,
      labelNames: [L.series, L.reason],
      registers: r,
    });
    this.queryErrorCounter = new Counter({
      name: anomalyPrometheusName(M.queryErrors),
      help: M.queryErrors.description,
      labelNames: [L.series, L.reason],
      registers: r,
    });
    this.amErrors = new Counter({
      name: anomalyPrometheusName(M.alertmanagerErrors),
      help: M.alertmanagerErrors.description,
      registers: r,
    });
    new Gauge({
      name: anomalyPrometheusName(M.score),
      help: M.score.description,
      labelNames: [L.series, L.labels, L.detector],
      registers: r,
      collect() {
        this.reset();
        for (const s of states()) {
          if (!s.lastScore) continue;
          const base = { [L.series]: s.config, [L.labels]: s.labels };
          this.set({ ...base, [L.detector]: 'ensemble' }, s.lastScore.score);
          for (const [d, v] of Object.entries(s.lastScore.detectors))
            this.set({ ...base, [L.detector]: d }, v);
        }
      },
    });
    new Gauge({
      name: anomalyPrometheusName(M.trainingDuration),
      help: M.trainingDuration.description,
      labelNames: [L.series, L.labels],
      registers: r,
      collect() {
        this.reset();
        for (const s of states()) {
          if (s.tf && s.tf.training.rounds > 0) {
            this.set({ [L.series]: s.config, [L.labels]: s.labels }, s.tf.training.lastSeconds);
          }
        }
      },
    });
    new Gauge({
      name: anomalyPrometheusName(M.modelStatus),
      help: M.modelStatus.description,
      labelNames: [L.series, L.labels, L.status],
      registers: r,
      collect() {
        this.reset();
        for (const s of states()) {
          if (!s.tf) continue;
          for (const st of ANOMALY_MODEL_STATUS_VALUES) {
            this.set(
              { [L.series]: s.config, [L.labels]: s.labels, [L.status]: st },
              s.tf.training.status === st ? 1 : 0,
            );
          }
        }
      },
    });
    new Gauge({
      name: anomalyPrometheusName(M.alertsFiring),
      help: M.alertsFiring.description,
      registers: r,
      collect() {
        this.set(firing());
      },
    });
  }

  scored(series: string): void {
    this.points.inc({ [L.series]: series });
  }
  rejected(series: string, reason: string, n = 1): void {
    this.rejectedCounter.inc({ [L.series]: series, [L.reason]: reason }, n);
  }
  queryError(series: string, reason: string): void {
    this.queryErrorCounter.inc({ [L.series]: series, [L.reason]: reason });
  }
  alertmanagerError(): void {
    this.amErrors.inc();
  }
}
