export { createPiiRedactor, PiiRedactor, type PiiRedactorOptions } from './redactor.js';
export { createPiiScanner, PiiScanner, type PiiScannerOptions } from './scanner.js';
export { isPiiType, PII_TYPES, type PiiDetector, type PiiFinding, type PiiType } from './types.js';
