/** The @google-cloud/storage runtime for omnicache/gcs, loaded as an optional peer. */
import type * as GoogleCloudStorage from '@google-cloud/storage';
import { importPeers } from '../../vendor/peer.js';

const [gcs] = await importPeers<[typeof GoogleCloudStorage]>(['@google-cloud/storage'], 'omnicache/gcs');
export const Storage = gcs.Storage;
