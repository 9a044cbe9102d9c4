// Type contracts of hush/node (issue #16); `npm run typecheck` compiles this file (strict).
// undiciConnector is undici's `connect` option (Agent and Client, against the pinned undici), and
// a hush TLSSocket is usable where node code expects a net.Socket, and has every member of node's
// tls.TLSSocket. It is not assignable to tls.TLSSocket for two reasons (README, differences from
// node:tls): @types/node types `authorizationError` as Error, while node and hush hold a string code,
// and getFinished()/getPeerFinished() without the null node and hush return once destroyed.
import type * as tls from 'node:tls';
import type * as net from 'node:net';
import { Agent, Client } from 'undici';
import { connect, createServer, undiciConnector, type TLSSocket } from 'hush/node';

export const agent = new Agent({ connect: undiciConnector({}) });
export const client = new Client('https://localhost:8443', { connect: undiciConnector({ ALPNProtocols: ['http/1.1'] }) });

export const asNetSocket = (s: TLSSocket): net.Socket => s;
export const server = createServer({}, (s) => asNetSocket(s));
export const socket: net.Socket = connect({ port: 8443 });

// No member of node's TLSSocket is missing from hush's.
type Missing = Exclude<keyof tls.TLSSocket, keyof TLSSocket>;
export const noneMissing: [Missing] extends [never] ? true : false = true;
// The documented differences; everything else of node's shape is accepted.
export const asNodeTlsSocket = (s: TLSSocket): tls.TLSSocket => s as unknown as tls.TLSSocket;
export const authorizationError: string | null = connect({ port: 8443 }).authorizationError;
