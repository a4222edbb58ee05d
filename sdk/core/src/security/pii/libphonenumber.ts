/** libphonenumber-js (max metadata) for omnicache/pii-phone, loaded as an optional peer. */
import type * as Lib from 'libphonenumber-js/max';
import { importPeers } from '../../vendor/peer.js';

const [lib] = await importPeers<[typeof Lib]>(['libphonenumber-js/max'], 'omnicache/pii-phone');
export const parsePhoneNumberFromString = lib.parsePhoneNumberFromString;
/** The metadata accessor class (`new Metadata()` reads the bundled max metadata). */
export const Metadata = lib.Metadata;
export type CountryCode = Lib.CountryCode;
export type PhoneNumber = Lib.PhoneNumber;
