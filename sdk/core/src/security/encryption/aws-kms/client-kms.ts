/** The @aws-sdk/client-kms runtime for omnicache/aws-kms, loaded as an optional peer (types come from `import type`). */
import type * as ClientKms from '@aws-sdk/client-kms';
import { importPeers } from '../../../vendor/peer.js';

const [kms] = await importPeers<[typeof ClientKms]>(['@aws-sdk/client-kms'], 'omnicache/aws-kms');
export const KMSClient = kms.KMSClient;
export const GenerateDataKeyCommand = kms.GenerateDataKeyCommand;
export const DecryptCommand = kms.DecryptCommand;
