/**
 * omnicache/pii-phone: the `phone` PII detector, on libphonenumber-js (install `libphonenumber-js`, an optional peer
 * of omnicache: about 10 MB installed, which is why it is not part of the root entry). Pass it to the scanner:
 *
 * ```ts
 * import { createPiiScanner } from 'omnicache';
 * import { phoneDetector } from 'omnicache/pii-phone';
 * const scanner = createPiiScanner({ phone: phoneDetector() });
 * ```
 */
export {
  DEFAULT_PHONE_REGIONS,
  type PhoneDetectorOptions,
  phoneDetector,
} from './security/pii/phone-detector.js';
