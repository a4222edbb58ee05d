/** @opentelemetry/sdk-metrics for omnicache/prom-client, loaded as an optional peer (with @opentelemetry/api). */
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import { importPeers } from '../vendor/peer.js';

const [sdkMetrics] = await importPeers<[typeof SdkMetrics, unknown]>(
  ['@opentelemetry/sdk-metrics', '@opentelemetry/api'],
  'omnicache/prom-client',
);
export const { DataPointType, MeterProvider, MetricReader } = sdkMetrics;
export type MeterProvider = SdkMetrics.MeterProvider;
