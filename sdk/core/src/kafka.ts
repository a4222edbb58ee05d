/** omnicache/kafka: the invalidation bus on Kafka. Needs `kafkajs` installed. */
export { KafkaBus, type KafkaBusOptions, kafkaBus } from './invalidation/kafka/kafka-bus.js';
/** The prefetch loop (access stream + hints) on Kafka. */
export { type KafkaPrefetchBusOptions, kafkaPrefetchBus } from './prefetch/kafka-prefetch-bus.js';
