/** libphonenumber-js (max metadata) for omnicache/pii-phone, loaded as an optional peer. */
import { createRequire } from 'node:module';
import type * as Lib from 'libphonenumber-js/max';
import { importPeers } from '../../vendor/peer.js';

const [lib] = await importPeers<[typeof Lib]>(['libphonenumber-js/max'], 'omnicache/pii-phone');
export const parsePhoneNumberFromString = lib.parsePhoneNumberFromString;
/** The metadata accessor class (`new Metadata()` reads the bundled max metadata). */
export const Metadata = lib.Metadata;
export type CountryCode = Lib.CountryCode;
export type PhoneNumber = Lib.PhoneNumber;
/** The installed libphonenumber-js version: the compiled engine ports one minor version's parsing rules. */
export const LIBPHONENUMBER_VERSION: string = (
  createRequire(import.meta.url)('libphonenumber-js/package.json') as { version: string }
).version;
