export { FsTier, type FsTierOptions, fsTier } from './fs-tier.js';
