/** omnicache/kafka: the invalidation bus and the audit sink on Kafka. Needs `kafkajs` installed. */
export { KafkaBus, type KafkaBusOptions, kafkaBus } from './invalidation/kafka/kafka-bus.js';
export { KafkaAuditSink, type KafkaAuditSinkOptions, kafkaAuditSink } from './security/audit/kafka-sink.js';
export { type AuditTopicOptions, DEFAULT_AUDIT_TOPIC, readAuditTopic } from './security/audit/kafka-topic.js';
