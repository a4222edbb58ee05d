// The anomaly service: back-fills each watched series with query_range, then evaluates every interval with an
// instant query, scores each new point online per series, drives Alertmanager alerts with hysteresis, keeps
// annotation events and its own metrics. Bad input is counted, never fatal.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ANOMALY_ATTR, prometheusLabel } from 'omnicache/conventions';
import { Ensemble, statisticalDetectors } from '../detectors/ensemble.js';
import { ensureTfBackend } from '../detectors/tf-backend.js';
import { TfForecaster } from '../detectors/tf-forecaster.js';
import { AlertmanagerClient, type AmAlert } from './alertmanager-client.js';
import { type AnnotationEvent, AnnotationLog } from './annotations.js';
import { type AnomalyConfig, resolveSeries, type SeriesConfig } from './config.js';
import { type Direction, movesTowards } from './direction.js';
import { ServiceMetrics } from './metrics.js';
import {
  PrometheusClient,
  PrometheusQueryError,
  renderLabels,
  type SeriesSamples,
} from './prometheus-client.js';
import { SeriesState } from './series-state.js';

/** Label naming the watched series on the alerts (the same as on the service's metrics). */
const SERIES_LABEL = prometheusLabel(ANOMALY_ATTR.series);

/** Prometheus refuses range queries of more than 11,000 points per series. */
const MAX_RANGE_POINTS = 11_000;

interface Watched {
  readonly config: SeriesConfig;
  readonly query: string;
  readonly alertname: string;
  readonly summary: string;
  readonly runbook: string;
  readonly minRelativeChange: number;
  readonly direction: Direction;
}

export interface EvaluationReport {
  readonly time: number;
  readonly scored: number;
  readonly fired: string[];
  readonly resolved: string[];
  readonly queryErrors: number;
}

export class AnomalyService {
  readonly metrics: ServiceMetrics;
  readonly annotations = new AnnotationLog();
  private readonly prometheus: PrometheusClient;
  private readonly alertmanager: AlertmanagerClient | undefined;
  private readonly watched: Watched[];
  private readonly states = new Map<string, SeriesState>();
  /** Alerts to (re-)send: firing ones every evaluation, resolved ones until Alertmanager took them. */
  private readonly pendingResolved = new Map<string, AmAlert>();
  private readonly openAnnotations = new Map<string, AnnotationEvent>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastSave = 0;
  private tfReady: Promise<string> | undefined;

  constructor(readonly config: AnomalyConfig) {
    this.prometheus = new PrometheusClient(config.prometheus.url, config.prometheus.timeout);
    this.alertmanager = config.alertmanager
      ? new AlertmanagerClient(config.alertmanager.url, config.alertmanager.timeout)
      : undefined;
    this.watched = config.series.map((s) => ({
      config: s,
      ...resolveSeries(s, config.rateWindow),
    }));
    this.metrics = new ServiceMetrics(
      () => this.states.values(),
      () => this.firingCount(),
    );
  }

  /** Every series state (read-only use: tests, the /api/series endpoint). */
  series(): SeriesState[] {
    return [...this.states.values()];
  }

  firingCount(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.alert.firing) n++;
    return n;
  }

  /** The state of a series, created on first sight; undefined when maxSeries are already tracked. */
  private async state(
    w: Watched,
    labels: Readonly<Record<string, string>>,
    now: number,
  ): Promise<SeriesState | undefined> {
    const rendered = renderLabels(labels);
    const key = `${w.config.name}${rendered}`;
    let s = this.states.get(key);
    if (!s) {
      if (this.states.size >= this.config.maxSeries) {
        this.metrics.rejected(w.config.name, 'over_limit');
        return undefined;
      }
      const detectors = statisticalDetectors();
      let tf: TfForecaster | undefined;
      if (this.config.tfjs.enabled) {
        this.tfReady ??= ensureTfBackend();
        await this.tfReady;
        const { firstTrainAfter, retrainEvery } = this.config.tfjs;
        tf = new TfForecaster({
          ...(firstTrainAfter ? { firstTrainAfter } : {}),
          ...(retrainEvery ? { retrainEvery } : {}),
        });
        if (this.config.stateDir) await tf.load(this.modelDir(key));
        detectors.push(tf);
      }
      // No refractory damping here: an alert must stay up while the series stays anomalous.
      s = new SeriesState(
        w.config.name,
        rendered,
        labels,
        w.config.kind,
        // Each point judged on its own (no short-term averaging of the statistic): a step change scores at its first
        // point instead of after a few, and the minRelativeChange floor keeps lone blips from alerting.
        new Ensemble(detectors, { weights: this.config.weights, likelihood: { shortWindow: 1 } }),
        tf,
        this.config.alerting,
        now,
      );
      this.states.set(key, s);
    }
    return s;
  }

  private modelDir(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
    return join(this.config.stateDir!, 'models', hash);
  }

  /** Reads the history of every watched series with query_range and learns from it (no alerts from history). */
  async backfill(now = Date.now()): Promise<number> {
    const step = this.config.evaluationInterval;
    const span = Math.min(this.config.backfill, step * (MAX_RANGE_POINTS - 1));
    let points = 0;
    for (const w of this.watched) {
      let result: SeriesSamples[];
      try {
        result = await this.prometheus.queryRange(w.query, now - span, now, step);
      } catch (err) {
        this.countQueryError(w, err);
        continue;
      }
      for (const r of result) {
        const s = await this.state(w, r.labels, now);
        if (!s) continue;
        for (const sample of r.samples) {
          const res = s.ingest(sample, step);
          if (res.kind === 'scored') {
            points++;
            this.metrics.scored(w.config.name);
          } else if (res.kind === 'rejected') this.metrics.rejected(w.config.name, res.reason);
        }
        s.lastSeen = now;
      }
    }
    return points;
  }

  private countQueryError(w: Watched, err: unknown): void {
    const reason = err instanceof PrometheusQueryError ? err.reason : 'bad_response';
    this.metrics.queryError(w.config.name, reason);
  }

  /** One evaluation at `now`: query each watched series, score new points, update alerts, post to Alertmanager. */
  async evaluate(now = Date.now()): Promise<EvaluationReport> {
    const interval = this.config.evaluationInterval;
    const fired: string[] = [];
    const resolved: string[] = [];
    const firingAlerts: AmAlert[] = [];
    let scored = 0;
    let queryErrors = 0;
    for (const w of this.watched) {
      let result: SeriesSamples[];
      try {
        result = await this.prometheus.query(w.query, now);
      } catch (err) {
        this.countQueryError(w, err);
        queryErrors++;
        continue; // Prometheus down or slow: nothing is learnt, no alert changes.
      }
      const present = new Set<string>();
      for (const r of result) {
        const s = await this.state(w, r.labels, now);
        if (!s) continue;
        present.add(s.key);
        s.lastSeen = now;
        for (const sample of r.samples) {
          const res = s.ingest(sample, interval);
          if (res.kind === 'rejected') {
            this.metrics.rejected(w.config.name, res.reason);
            continue;
          }
          if (res.kind !== 'scored') continue;
          scored++;
          this.metrics.scored(w.config.name);
          if (res.afterGap) this.metrics.rejected(w.config.name, 'gap');
          // A point after a gap, or one too close to the usual level to matter, never starts an alert. A move the
          // other way than the watched direction (a hit ratio going up) is good news: it counts as recovered.
          const countable = !res.afterGap && res.relativeChange >= w.minRelativeChange;
          const alertScore = movesTowards(w.direction, res.change) ? res.score.score : 0;
          const t = s.alert.observe(alertScore, now, countable);
          if (t === 'fire') {
            fired.push(s.key);
            this.openAnnotation(w, s, now);
          } else if (t === 'resolve') {
            resolved.push(s.key);
            this.resolveAlert(w, s, now, 'recovered');
          }
        }
        this.updateAnnotation(s);
        if (s.alert.firing) firingAlerts.push(this.alertFor(w, s, now, undefined));
      }
      // Series of this query that did not answer: forgotten (alert resolved) after forgetAfter.
      for (const s of this.states.values()) {
        if (s.config !== w.config.name || present.has(s.key)) continue;
        if (now - s.lastSeen >= this.config.forgetAfter) {
          this.metrics.rejected(w.config.name, 'disappeared');
          if (s.alert.forceResolve()) {
            resolved.push(s.key);
            this.resolveAlert(w, s, now, 'series disappeared');
          }
          this.states.delete(s.key);
        } else if (s.alert.firing) {
          firingAlerts.push(this.alertFor(w, s, now, undefined)); // keep it up through a short gap
        }
      }
    }
    await this.sendAlerts(firingAlerts);
    if (this.config.stateDir && now - this.lastSave >= this.config.saveInterval) {
      this.lastSave = now;
      await this.saveModels();
    }
    return { time: now, scored, fired, resolved, queryErrors };
  }

  private alertFor(w: Watched, s: SeriesState, now: number, endsAt: number | undefined): AmAlert {
    const score = s.lastScore?.score ?? 0;
    const labels: Record<string, string> = {
      ...Object.fromEntries(Object.entries(s.labelSet).filter(([k]) => k !== '__name__')),
      alertname: w.alertname,
      severity: w.config.severity,
      [SERIES_LABEL]: w.config.name,
    };
    return {
      labels,
      annotations: {
        summary: w.summary,
        description: `${w.config.name}${s.labels} scored ${score.toFixed(3)} (value ${s.lastValue}); query: ${w.query}`,
        score: score.toFixed(3),
        series: `${w.config.name}${s.labels}`,
        runbook_url: `${this.config.alerting.runbookBaseUrl}${w.runbook}.md`,
      },
      startsAt: new Date(s.alert.startsAt).toISOString(),
      // Firing: valid for a few intervals and refreshed every evaluation; resolved: ends now.
      endsAt: new Date(endsAt ?? now + 4 * this.config.evaluationInterval).toISOString(),
    };
  }

  private resolveAlert(w: Watched, s: SeriesState, now: number, why: string): void {
    this.pendingResolved.set(s.key, this.alertFor(w, s, now, now));
    const open = this.openAnnotations.get(s.key);
    if (open) {
      open.timeEnd = now;
      open.state = 'resolved';
      open.text = `${open.text}; resolved (${why})`;
      this.openAnnotations.delete(s.key);
    }
  }

  private openAnnotation(w: Watched, s: SeriesState, now: number): void {
    const score = s.lastScore?.score ?? 0;
    const e = this.annotations.add({
      time: now,
      title: `${w.alertname}: ${w.summary}`,
      text: `${w.config.name}${s.labels} anomaly score ${score.toFixed(3)}`,
      tags: ['omnicache-anomaly', w.config.name, w.alertname],
      series: w.config.name,
      labels: s.labels,
      score,
      state: 'firing',
    });
    this.openAnnotations.set(s.key, e);
  }

  private updateAnnotation(s: SeriesState): void {
    const open = this.openAnnotations.get(s.key);
    if (open && s.lastScore) open.score = Math.max(open.score, s.lastScore.score);
  }

  private async sendAlerts(firing: AmAlert[]): Promise<void> {
    if (!this.alertmanager) {
      this.pendingResolved.clear();
      return;
    }
    const resolved = [...this.pendingResolved.values()];
    if (firing.length + resolved.length === 0) return;
    try {
      await this.alertmanager.post([...firing, ...resolved]);
      this.pendingResolved.clear();
    } catch {
      this.metrics.alertmanagerError(); // retried at the next evaluation
    }
  }

  /** Saves every series' TF.js model under stateDir. */
  async saveModels(): Promise<void> {
    if (!this.config.stateDir) return;
    for (const s of this.states.values()) {
      if (s.tf && s.tf.training.rounds > 0) await s.tf.save(this.modelDir(s.key));
    }
  }

  /** Back-fill, then evaluate every interval until `stop()`. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.backfill();
    const tick = async () => {
      if (!this.running) return;
      const started = Date.now();
      try {
        await this.evaluate(started);
      } catch (err) {
        console.error(`[anomaly] evaluation failed: ${(err as Error).message}`);
      }
      if (this.running) {
        this.timer = setTimeout(tick, Math.max(0, this.config.evaluationInterval - (Date.now() - started)));
      }
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.saveModels();
  }
}
