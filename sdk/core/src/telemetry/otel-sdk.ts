/**
 * The OpenTelemetry SDK runtime for omnicache/otel, loaded as optional peers: the application chooses and installs
 * the SDK, libraries depend on @opentelemetry/api only. Values from the loaded modules, types by `import type`.
 */
import type * as Api from '@opentelemetry/api';
import type * as OtlpMetrics from '@opentelemetry/exporter-metrics-otlp-http';
import type * as Prometheus from '@opentelemetry/exporter-prometheus';
import type * as OtlpTraces from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as SdkTrace from '@opentelemetry/sdk-trace-base';
import { importPeers } from '../vendor/peer.js';

/** What `npm install` needs for omnicache/otel (also the optional peers in package.json). */
export const OTEL_SDK_PEERS = [
  '@opentelemetry/api',
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/resources',
  '@opentelemetry/exporter-prometheus',
  '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/exporter-trace-otlp-http',
] as const;

const [api, sdkNode, sdkMetrics, sdkTrace, resources, prometheus, otlpMetrics, otlpTraces] =
  await importPeers<
    [
      typeof Api,
      typeof SdkNode,
      typeof SdkMetrics,
      typeof SdkTrace,
      typeof Resources,
      typeof Prometheus,
      typeof OtlpMetrics,
      typeof OtlpTraces,
    ]
  >([...OTEL_SDK_PEERS], 'omnicache/otel');

export const { metrics, trace } = api;
export const { NodeSDK } = sdkNode;
export type NodeSDK = SdkNode.NodeSDK;
export const { MeterProvider, PeriodicExportingMetricReader } = sdkMetrics;
export type MeterProvider = SdkMetrics.MeterProvider;
export type PeriodicExportingMetricReader = SdkMetrics.PeriodicExportingMetricReader;
export const { BatchSpanProcessor } = sdkTrace;
export type BatchSpanProcessor = SdkTrace.BatchSpanProcessor;
export const { resourceFromAttributes } = resources;
export const { PrometheusExporter } = prometheus;
export type PrometheusExporter = Prometheus.PrometheusExporter;
export const { OTLPMetricExporter } = otlpMetrics;
export const { OTLPTraceExporter } = otlpTraces;
