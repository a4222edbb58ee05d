// The test services harness: provisioning (cached, idempotent) and starters for real servers.
export {
  type AlertmanagerHandle,
  type AlertmanagerOptions,
  MINIMAL_ALERTMANAGER_CONFIG,
  startAlertmanager,
} from './alertmanager.js';
export { killAllServices, pidAlive, trackedProcessCount } from './child-processes.js';
export {
  type CollectorHandle,
  type CollectorOptions,
  type CollectorPorts,
  type CollectorValidation,
  collectorEnv,
  minimalCollectorConfig,
  startCollector,
  validateCollectorConfig,
} from './collector.js';
export { type CollectorBuildInfo, ensureCollector } from './collector-build.js';
export { ensureDebianPackages, findExecutable, requireExecutable } from './debian-packages.js';
export { ensureFakeGcs, type FakeGcsHandle, type FakeGcsOptions, startFakeGcs } from './fake-gcs.js';
export { freePort } from './free-port.js';
export {
  type HttpFault,
  type HttpFaultProxyHandle,
  startHttpFaultProxy,
} from './http-fault-proxy.js';
export { ensureKafka, type KafkaHandle, type KafkaOptions, startKafka } from './kafka.js';
export {
  DEFAULT_LOCAL_KMS_KEYS,
  ensureLocalKms,
  type LocalKmsHandle,
  type LocalKmsOptions,
  type LocalKmsSeedKey,
  startLocalKms,
} from './local-kms.js';
export { cacheRoot } from './paths.js';
export { type PrometheusHandle, type PrometheusOptions, startPrometheus } from './prometheus.js';
export type { SharedGcs, SharedKms, SharedRedis, SharedRedisCluster } from './provided-context.js';
export { type ProvisionOptions, type ProvisionReport, provisionServices } from './provision.js';
export { type RedisEndpoint, type RedisHandle, type RedisOptions, startRedis } from './redis.js';
export { type RedisClusterHandle, type RedisClusterOptions, startRedisCluster } from './redis-cluster.js';
export { type Stack, type StackOptions, startStack } from './stack.js';
export {
  ensureToxiproxy,
  startToxiproxy,
  type ToxiproxyHandle,
  type ToxiproxyProxy,
} from './toxiproxy.js';
