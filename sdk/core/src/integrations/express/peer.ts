/** omnicache/express needs Express beside it: importing the subpath without it names the package to install. */
import type * as Express from 'express';
import { importPeers } from '../../vendor/peer.js';

await importPeers<[typeof Express]>(['express'], 'omnicache/express');
