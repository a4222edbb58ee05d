/** omnicache/fastify needs Fastify beside it: importing the subpath without it names the package to install. */
import type * as Fastify from 'fastify';
import { importPeers } from '../../vendor/peer.js';

await importPeers<[typeof Fastify]>(['fastify'], 'omnicache/fastify');
