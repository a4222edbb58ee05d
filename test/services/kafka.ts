// Apache Kafka in KRaft mode (one node, broker + controller), from Maven Central jars cached under the tool
// cache (no tarball): `mvn dependency:copy-dependencies` of kafka_2.13 plus a log4j2 slf4j binding, then
// `java -cp 'lib/*' kafka.Kafka server.properties` on free 127.0.0.1 ports. The harness owns the process:
// kill() crashes it, restart() brings it back on the same ports with its data, stop() ends it for good.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type ServiceProcess, spawnService } from './child-processes.js';
import { ensureDebianPackages, requireExecutable } from './debian-packages.js';
import { withFileLock } from './file-lock.js';
import { freePort } from './free-port.js';
import { cacheDir } from './paths.js';
import { waitUntilReady } from './readiness.js';
import { runCommand } from './run-command.js';
import { makeServiceDir, removeServiceDir } from './service-dir.js';

export const KAFKA_VERSION = '4.1.1';
export const LOG4J_VERSION = '2.24.3';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.omnicache</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;

// Warnings only, to the console (the process log file): Kafka's INFO logging is large and costs CPU.
const LOG4J2 = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers>
    <Logger name="kafka.server.KafkaRaftServer" level="info"/>
    <Logger name="kafka.server.BrokerServer" level="info"/>
    <Root level="warn"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
`;

/** Fetches the Kafka runtime jars once into the cache (idempotent, under a lock); returns the lib directory. */
export async function ensureKafka(): Promise<string> {
  const home = cacheDir('kafka', KAFKA_VERSION);
  const lib = join(home, 'lib');
  const stamp = join(home, 'ready');
  if (existsSync(stamp)) return lib;
  await ensureDebianPackages();
  return withFileLock(home, async () => {
    if (existsSync(stamp)) return lib;
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'pom.xml'), POM);
    process.stderr.write(`[services] fetching Kafka ${KAFKA_VERSION} jars from Maven Central (once)\n`);
    await runCommand(
      requireExecutable('mvn'),
      [
        '-B',
        '-q',
        `-Dmaven.repo.local=${cacheDir('maven', 'repository')}`,
        `${DEPENDENCY_PLUGIN}:copy-dependencies`,
        '-DincludeScope=runtime',
        `-DoutputDirectory=${lib}`,
      ],
      { cwd: home, timeoutMs: 20 * 60_000 },
    );
    if (!existsSync(join(lib, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
      throw new Error(`Maven finished but ${lib} has no kafka_2.13-${KAFKA_VERSION}.jar`);
    }
    writeFileSync(join(home, 'log4j2.xml'), LOG4J2);
    writeFileSync(stamp, new Date().toISOString());
    return lib;
  });
}

export interface KafkaOptions {
  /** Partitions of auto-created topics (default 1). */
  partitions?: number;
  readyTimeoutMs?: number;
  /** Heap for the JVM (default 512m). */
  heap?: string;
}

export interface KafkaHandle {
  /** '127.0.0.1:PORT' for kafkajs `brokers`. */
  readonly broker: string;
  readonly port: number;
  readonly logFile: string;
  readonly dir: string;
  pid(): number | undefined;
  running(): boolean;
  /** SIGKILL, as a crash would; data and ports stay for restart(). */
  kill(): Promise<void>;
  /** Stops the broker if it runs (gracefully), starts it again on the same ports with its data, waits until ready. */
  restart(): Promise<void>;
  /** Stops for good and removes the data directory. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function serverProperties(port: number, controllerPort: number, logDir: string, partitions: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${controllerPort}`,
    `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDir}`,
    `num.partitions=${partitions}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    '',
  ].join('\n');
}

/** True when the broker accepted a TCP connection (readiness also waits for its "started" log line). */
function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startKafka(opts: KafkaOptions = {}): Promise<KafkaHandle> {
  const lib = await ensureKafka();
  const home = join(lib, '..');
  const port = await freePort();
  const controllerPort = await freePort();
  const dir = makeServiceDir(`kafka-${port}`);
  const logDir = join(dir, 'data');
  const props = join(dir, 'server.properties');
  writeFileSync(props, serverProperties(port, controllerPort, logDir, opts.partitions ?? 1));
  const logFile = join(dir, 'kafka.log');
  const cp = `${lib}/*`;
  const java = (mainClass: string, args: string[]) => [
    `-Xmx${opts.heap ?? '512m'}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j2.configurationFile=${join(home, 'log4j2.xml')}`,
    '-cp',
    cp,
    mainClass,
    ...args,
  ];
  try {
    const id = (await runCommand('java', java('kafka.tools.StorageTool', ['random-uuid']))).stdout.trim();
    await runCommand(
      'java',
      java('kafka.tools.StorageTool', [
        'format',
        '-t',
        id,
        '-c',
        props,
        '--ignore-formatted',
        '--standalone',
      ]),
      { timeoutMs: 120_000 },
    ).catch(async () => {
      // Older formats reject --standalone with controller.quorum.voters set: format without it.
      await runCommand(
        'java',
        java('kafka.tools.StorageTool', ['format', '-t', id, '-c', props, '--ignore-formatted']),
        {
          timeoutMs: 120_000,
        },
      );
    });
  } catch (err) {
    removeServiceDir(dir);
    throw err;
  }

  let proc: ServiceProcess | undefined;
  let stopped = false;
  const name = `kafka:${port}`;
  const launch = async () => {
    const offset = existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
    const p = await spawnService({ name, command: 'java', args: java('kafka.Kafka', [props]), logFile });
    proc = p;
    await waitUntilReady(
      async () =>
        readFileSync(logFile, 'utf8').slice(offset).includes('Kafka Server started') && (await tcpOpen(port)),
      {
        what: `${name} is started and listens on ${HOST}:${port}`,
        proc: p,
        timeoutMs: opts.readyTimeoutMs ?? 90_000,
        intervalMs: 200,
      },
    );
  };
  try {
    await launch();
  } catch (err) {
    removeServiceDir(dir);
    throw err;
  }
  return {
    broker: `${HOST}:${port}`,
    port,
    logFile,
    dir,
    pid: () => (proc?.running() ? proc.pid : undefined),
    running: () => proc?.running() ?? false,
    kill: async () => {
      await proc?.stop('SIGKILL');
    },
    restart: async () => {
      if (stopped) throw new Error(`${name} was stopped for good; start a new one`);
      await proc?.stop('SIGTERM', 20_000);
      await launch();
    },
    stop: async () => {
      stopped = true;
      await proc?.stop('SIGTERM', 20_000);
      removeServiceDir(dir);
    },
  };
}
