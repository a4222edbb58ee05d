import { markdownTable } from '../telemetry/metrics-doc.js';
import { cacheFileConfigSchema } from './file-schema.js';
import { type ConfigField, configFields, envName } from './schema-fields.js';

/** One line per field; `<tier>` stands for l2 and l3, which take the same fields. A test fails when one is missing. */
export const FIELD_DOCS: Readonly<Record<string, string>> = {
  name: 'Cache name: qualifies every key in the remote tiers and labels every metric (1-64 of A-Z a-z 0-9 _ . -).',
  'l1.capacity': 'Entries the in-process tier holds.',
  'l1.maxBytes': 'Upper bound on the bytes of values held in process (optional).',
  'l1.policy': 'Replacement policy of the in-process tier.',
  'l1.demoteOnEvict': 'Write values evicted from L1 down to L2 when they are not there.',
  '<tier>.timeoutMs': 'Budget per call to this tier in ms; defaults.timeouts.tier when unset.',
  '<tier>.circuitBreaker.failureThreshold': "Failures within windowMs that open this tier's circuit.",
  '<tier>.circuitBreaker.windowMs': 'Window in ms over which failures are counted.',
  '<tier>.circuitBreaker.openMs': 'How long an open circuit stays open before a trial call, in ms.',
  '<tier>.circuitBreaker.halfOpenSuccesses': 'Successful trial calls that close the circuit again.',
  '<tier>.redis.url': 'Redis node as a redis:// or rediss:// URL (omnicache/redis, needs ioredis).',
  '<tier>.redis.host': 'Redis host, when no url is given (or to override it).',
  '<tier>.redis.port': 'Redis port.',
  '<tier>.redis.db': 'Redis database number.',
  '<tier>.redis.tls': 'Connect with TLS.',
  '<tier>.redis.username': 'Redis ACL user name.',
  '<tier>.redis.password': 'Redis password (prefer the environment variable to a file).',
  '<tier>.redis.keyPrefix': 'Prefix for every key this tier writes.',
  '<tier>.redis.commandTimeoutMs': 'Budget for one Redis call in ms (default 500).',
  '<tier>.redis.failFastWhenDisconnected':
    'Fail calls at once while a ready connection reconnects (default true).',
  '<tier>.redis.tombstoneMs':
    'How long a key delete leaves a tombstone that refuses older write-backs, in ms (default 60000; 0: off).',
  '<tier>.redisCluster.nodes':
    'Seed nodes of a Redis Cluster; in the environment a list host:port,host:port.',
  '<tier>.redisCluster.tls': 'Connect to the nodes with TLS.',
  '<tier>.redisCluster.username': 'Redis ACL user name.',
  '<tier>.redisCluster.password': 'Redis password.',
  '<tier>.redisCluster.keyPrefix': 'Prefix for every key this tier writes.',
  '<tier>.redisCluster.commandTimeoutMs': 'Budget for one Redis call in ms (default 500).',
  '<tier>.redisCluster.failFastWhenDisconnected': 'Fail calls at once while a ready connection reconnects.',
  '<tier>.redisCluster.tombstoneMs':
    'How long a key delete leaves a tombstone, in ms (default 60000; 0: off).',
  '<tier>.gcs.bucket':
    'An existing Google Cloud Storage bucket (omnicache/gcs, needs @google-cloud/storage).',
  '<tier>.gcs.prefix': 'Object-name prefix inside the bucket.',
  '<tier>.gcs.apiEndpoint': 'Storage API endpoint (an emulator, for example).',
  '<tier>.gcs.projectId': 'Google Cloud project id.',
  '<tier>.gcs.concurrency': 'Concurrent object requests for batch calls (default 16).',
  '<tier>.gcs.requestTimeoutMs': 'Budget for one object request in ms (default 5000).',
  '<tier>.fs.dir': 'Directory of the local file tier (created when missing).',
  '<tier>.fs.maxBytes': 'Upper bound on the bytes of entry files; oldest entries are removed beyond it.',
  '<tier>.fs.tombstoneMs': 'How long a key delete leaves a tombstone file, in ms (default 60000; 0: off).',
  'defaults.ttl': 'Time to live of an entry in ms.',
  'defaults.grace': 'How long past its TTL an entry may still be served when the loader fails, in ms.',
  'defaults.staleWhileRevalidate':
    'Window after the TTL in which a stale value is served while it is refreshed, in ms.',
  'defaults.graceBackoff':
    'After a failed load under grace, how long to serve the stale value before retrying, in ms.',
  'defaults.jitter':
    'Random fraction (0-1) taken off each TTL, so entries written together do not expire together.',
  'defaults.sliding': 'Reset the TTL on every read.',
  'defaults.timeouts.soft':
    'After this many ms a slow loader is left running and a stale value is served (0: off).',
  'defaults.timeouts.hard': 'After this many ms a loader call fails with TimeoutError (0: off).',
  'defaults.timeouts.tier': 'Default budget per remote tier call in ms.',
  maxKeyLength: 'Longest accepted key, in characters.',
  maxValueBytes: 'Largest accepted serialized value, in bytes.',
  'circuitBreaker.failureThreshold':
    'Default for every tier: failures within windowMs that open the circuit.',
  'circuitBreaker.windowMs': 'Default window over which failures are counted, in ms.',
  'circuitBreaker.openMs': 'Default time an open circuit stays open, in ms.',
  'circuitBreaker.halfOpenSuccesses': 'Default successful trial calls that close the circuit.',
  'codec.compressThreshold':
    'Compress values of at least this many bytes before they leave the process (false: never).',
  'codec.compression': 'Compression algorithm when compressThreshold is set.',
  'codec.checksum':
    'Store a CRC-32 with each unencrypted value: bytes damaged in a tier are a miss, never another value (~10 µs per 64 KB read). Older versions miss such values.',
  'encryption.local.keyFile':
    'AES-256-GCM envelope encryption with a local key ring read from this JSON key file ([{ id, key, createdAt }], last = current; chmod 600).',
  'encryption.local.keyEnv':
    'Local key ring from this environment variable instead (JSON, or id:base64key,...; `local: {}` reads OMNICACHE_ENCRYPTION_KEYS).',
  'encryption.local.currentKeyId':
    'The key new values are sealed under (default: the last one). Keep the previous key current until every instance has the new ring.',
  'encryption.awsKms.region':
    'AWS region of the KMS keys (encryption.awsKms.keyIds lists them, oldest first).',
  'encryption.awsKms.endpoint': "KMS endpoint other than AWS's own (VPC endpoint, KMS-compatible server).",
  'encryption.dekCacheSize': 'Unwrapped data keys kept in memory (default 1000).',
  'encryption.dekTtlMs':
    'How long a data key stays in memory and the longest a write key is used, in ms; reads and writes go on through a key-provider outage for this long (default 1 h).',
  'encryption.dekRefreshMs':
    'A write key older than this is replaced in the background, in ms (default 10 min).',
  'encryption.maxEncryptionsPerDek':
    'Values sealed under one data key before it is retired (default 2^28, at most 2^31).',
  'encryption.rotationDays': '`omnicache security scan` reports keys older than this many days (default 90).',
};

/** The documentation key of a field: l2./l3. become <tier>. */
export function docKey(path: readonly string[]): string {
  return path[0] === 'l2' || path[0] === 'l3' ? ['<tier>', ...path.slice(1)].join('.') : path.join('.');
}

function typeOf(f: ConfigField): string {
  switch (f.kind) {
    case 'enum':
      return (f.values ?? []).map((v) => `\`${v}\``).join(' \\| ');
    case 'number-or-false':
      return 'integer \\| `false`';
    case 'host-port-list':
      return 'list of { host, port }';
    default:
      return f.kind;
  }
}

/** docs/configuration.md, generated from the schema; a test fails when the file is stale. */
export function renderConfigDoc(): string {
  const fields = configFields(cacheFileConfigSchema).filter((f) => f.path[0] !== 'l3');
  const rows = fields.map((f) => {
    const key = docKey(f.path);
    const env =
      f.path[0] === 'l2' ? `${envName(f.path)}<br>${envName(['l3', ...f.path.slice(1)])}` : envName(f.path);
    const dflt =
      f.default === undefined ? (f.required ? 'required' : '') : `\`${JSON.stringify(f.default)}\``;
    return [`\`${key}\``, `\`${env.replace('<br>', '`<br>`')}\``, typeOf(f), dflt, FIELD_DOCS[key] ?? ''];
  });
  return `<!-- Generated from sdk/core/src/config (the schema createCache validates). Do not edit: run \`node scripts/pnpm.mjs --filter omnicache run docs:config\`. -->
# Configuration reference

A cache is configured from code, a file, the environment, or all three:

\`\`\`ts
import { createCache, loadCacheConfig } from 'omnicache';

const cache = createCache(await loadCacheConfig({ file: 'omnicache.yaml' }));
\`\`\`

\`\`\`yaml
# omnicache.yaml
name: orders
l1: { capacity: 10000 }
l2: { redis: { url: redis://127.0.0.1:6379 }, timeoutMs: 200 }
l3: { fs: { dir: /var/cache/orders } }
defaults: { ttl: 300000, staleWhileRevalidate: 60000 }
\`\`\`

- \`loadCacheConfig({ file, env, defaults })\` reads YAML (\`.yaml\`, \`.yml\`) or JSON (\`.json\`); without \`file\` it reads the
  file named by \`OMNICACHE_CONFIG\`, if any. Precedence: environment over \`defaults\` over the file.
- Every field below can be set by its environment variable. Variables that name no field are ignored; a value of the
  wrong type is an error naming the variable.
- \`<tier>\` is \`l2\` or \`l3\`; each takes exactly one of \`redis\`, \`redisCluster\`, \`gcs\`, \`fs\`. Vendor tiers are built
  through their subpath entry point, so their package must be installed (\`ioredis\` for Redis,
  \`@google-cloud/storage\` for GCS).
- A bad file is an error that names the file and each bad field, e.g.
  \`invalid cache config in /etc/omnicache.yaml: l1.capacity: Too small: expected number to be >0\`.
- Tier instances, a distributed lock and other objects are given in code: \`createCache({ ...await loadCacheConfig(), lock })\`.

${markdownTable(['field', 'environment', 'type', 'default', 'meaning'], rows).join('\n')}
`;
}
