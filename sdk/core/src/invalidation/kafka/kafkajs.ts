/** The kafkajs runtime for omnicache/kafka, loaded as an optional peer (types come from `import type`). */
import type * as KafkaJs from 'kafkajs';
import { importPeers } from '../../vendor/peer.js';

type KafkaJsModule = typeof KafkaJs & { default?: typeof KafkaJs };
const [kafkajs] = await importPeers<[KafkaJsModule]>(['kafkajs'], 'omnicache/kafka');
const api = kafkajs.Kafka === undefined && kafkajs.default !== undefined ? kafkajs.default : kafkajs;
export const Kafka = api.Kafka;
export const logLevel = api.logLevel;
