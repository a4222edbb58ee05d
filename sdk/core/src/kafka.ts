/** omnicache/kafka: the invalidation bus on Kafka. Needs `kafkajs` installed. */
export { KafkaBus, type KafkaBusOptions, kafkaBus } from './invalidation/kafka/kafka-bus.js';
