/** omnicache/gcs: an L3 tier on Google Cloud Storage. Needs `@google-cloud/storage` installed. */
export { GcsTier, type GcsTierOptions, gcsTier } from './tiers/gcs/index.js';
