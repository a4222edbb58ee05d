export { EXPIRES_AT_METADATA, GcsTier, type GcsTierOptions, gcsTier, KEY_METADATA } from './gcs-tier.js';
