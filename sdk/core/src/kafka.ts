/** omnicache/kafka: the invalidation bus, the audit sink and the prefetch loop on Kafka. Needs `kafkajs` installed. */
export { KafkaBus, type KafkaBusOptions, kafkaBus } from './invalidation/kafka/kafka-bus.js';
/** The prefetch loop (access stream + hints) on Kafka. */
export { type KafkaPrefetchBusOptions, kafkaPrefetchBus } from './prefetch/kafka-prefetch-bus.js';
export { KafkaAuditSink, type KafkaAuditSinkOptions, kafkaAuditSink } from './security/audit/kafka-sink.js';
export { type AuditTopicOptions, DEFAULT_AUDIT_TOPIC, readAuditTopic } from './security/audit/kafka-topic.js';
