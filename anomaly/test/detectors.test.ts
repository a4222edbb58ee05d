import { describe, expect, it } from 'vitest';
import { CusumDetector } from '../src/detectors/cusum.js';
import type { Detector } from '../src/detectors/detector.js';
import { Ensemble, statisticalDetectors } from '../src/detectors/ensemble.js';
import { EwmaDetector } from '../src/detectors/ewma.js';
import { normalTail } from '../src/detectors/likelihood.js';
import { RecordRatio } from '../src/detectors/record-ratio.js';
import { RobustZDetector } from '../src/detectors/robust-z.js';
import { DAY_MS, SeasonalDetector } from '../src/detectors/seasonal.js';
import { SlidingMax } from '../src/detectors/sliding-max.js';
import { gaussian } from './synthetic.js';

const STEP = 5 * 60_000; // 5-minute points: 288 a day

function run(d: Detector, values: number[]): number[] {
  return values.map((v, i) => d.update(v, i * STEP));
}

function noise(n: number, seed = 1, level = 100, sd = 1): number[] {
  const g = gaussian(seed);
  return Array.from({ length: n }, () => level + sd * g());
}

describe('statistical detectors', () => {
  it('robust z and EWMA: a spike scores far above every normal point', () => {
    for (const d of [new RobustZDetector(), new EwmaDetector()]) {
      const values = noise(600);
      values[500] = 112;
      const stats = run(d, values);
      const normalMax = Math.max(...stats.slice(100, 500));
      expect(stats[500]!, d.name).toBeGreaterThan(8);
      expect(stats[500]!, d.name).toBeGreaterThan(2 * normalMax);
    }
  });

  it('robust z is not thrown by outliers in its own window (median/MAD)', () => {
    const values = noise(600);
    for (let i = 100; i < 500; i += 10) values[i] = 1000; // 10% gross outliers
    values[550] = 110;
    const stats = run(new RobustZDetector(), values);
    expect(stats[550]!).toBeGreaterThan(6);
  });

  it('CUSUM finds a small sustained shift that no single point shows', () => {
    const values = noise(800, 3).map((v, i) => (i >= 600 ? v + 1 : v)); // +1 sd shift
    const d = new CusumDetector();
    const stats = run(d, values);
    expect(Math.max(...stats.slice(100, 600))).toBeLessThan(1);
    const hit = stats.findIndex((s, i) => i >= 600 && s >= 1);
    expect(hit).toBeGreaterThanOrEqual(600);
    expect(hit).toBeLessThan(640);
    expect(d.changePoints).toBeGreaterThanOrEqual(1);
  });

  it('seasonal baseline flags a value normal for the day but wrong for its time of day, once 2 days exist', () => {
    const perDay = DAY_MS / STEP;
    const g = gaussian(5);
    const values = Array.from(
      { length: perDay * 4 },
      (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / perDay) + g(),
    );
    const probe = Math.round(perDay * 3.25); // peak of the day (~150) gets the trough's value
    values[probe] = 50;
    const seasonal = run(new SeasonalDetector(), values);
    const robust = run(new RobustZDetector(), values);
    expect(seasonal.slice(0, perDay * 2 - 1).every((s) => Number.isNaN(s))).toBe(true); // no opinion until 2 days
    expect(seasonal[probe]!).toBeGreaterThan(10);
    expect(robust[probe]!).toBeLessThan(2); // 50 is an ordinary level for the day as a whole
  });
});

describe('ensemble', () => {
  it('scores in [0, 1], low on noise and highest at the anomaly', () => {
    const e = new Ensemble(statisticalDetectors());
    const values = noise(1500, 9);
    values[1400] = 120;
    const scores = values.map((v, i) => e.update(v, i * STEP).score);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    const sorted = scores.slice(200, 1400).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95)]!).toBeLessThan(0.35);
    expect(scores[1400]!).toBeGreaterThan(0.9);
  });

  it('refractory damping: one incident gives one top score instead of a train of them', () => {
    const values = noise(1500, 11);
    for (let i = 1400; i < 1410; i++) values[i] = 130;
    const highs = (e: Ensemble) =>
      values
        .map((v, i) => [e.update(v, i * STEP).score, i] as const)
        .filter(([s, i]) => s > 0.5 && i >= 1400 && i < 1460)
        .map(([, i]) => i);
    const damped = highs(new Ensemble(statisticalDetectors(), { refractory: 60, damping: 0.1 }));
    const undamped = highs(new Ensemble(statisticalDetectors()));
    expect(damped).toEqual([1400]);
    expect(undamped.length).toBeGreaterThan(3);
  });

  it('record memory: a recurring spike scores low, a new record high; scores stay in [0, 1]', () => {
    // A spike of 60 every 100 points: after the first few, the next one is no record; a spike of 150 is.
    const values = noise(1500, 13);
    for (let i = 300; i < 1400; i += 100) values[i] = 60;
    values[1450] = 150;
    const e = new Ensemble(statisticalDetectors(), { recordMemory: 300 });
    const scores = values.map((v, i) => e.update(v, i * STEP).score);
    expect(scores.every((s) => s >= 0 && s < 1)).toBe(true);
    expect(scores[1300]!).toBeLessThan(0.5); // x / (x + 2) < 0.5: likelihood + ratio ~1 below 2
    expect(scores[1450]!).toBeGreaterThan(0.55);
    expect(scores[1450]!).toBeGreaterThan(Math.max(...scores.slice(1000, 1400)));
  });

  it('RecordRatio is the statistic over the highest of the last `memory` ones, 0 without an opinion', () => {
    const r = new RecordRatio({ memory: 3, minHistory: 2 });
    expect([1, 2].map((s) => r.update(s))).toEqual([0, 0]); // history too short
    expect(r.update(4)).toBe(2); // record 2
    expect(r.update(Number.NaN)).toBe(0); // not remembered
    expect(r.update(1)).toBe(0.25); // record 4
    expect(r.update(1)).toBe(0.25);
    expect(r.update(1)).toBe(0.25); // the last 3 are 4, 1, 1
    expect(r.update(2)).toBe(2); // 4 has left the memory (1, 1, 1)
  });

  it('NaN and infinite statistics never leak into the score', () => {
    const e = new Ensemble([{ name: 'broken', update: () => Number.NaN }, ...statisticalDetectors()]);
    for (let i = 0; i < 300; i++) expect(Number.isFinite(e.update(100 + (i % 3), i * STEP).score)).toBe(true);
  });
});

describe('helpers', () => {
  it('normalTail matches known values', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 6);
    expect(normalTail(1.96)).toBeCloseTo(0.025, 3);
    expect(normalTail(-1.96)).toBeCloseTo(0.975, 3);
  });

  it('SlidingMax is the max of the last n values', () => {
    const m = new SlidingMax(3);
    const seq = [5, 1, 2, 0, 0, 0, 7, 3, 3, 1];
    seq.forEach((v, i) => {
      m.push(v);
      expect(m.max).toBe(Math.max(...seq.slice(Math.max(0, i - 2), i + 1)));
    });
  });
});
