// undiciConnector(): the `connect` option of undici's Client/Agent (and so of its fetch), built
// on hush's connect(). undici calls it with { hostname, port, servername, ... } and a callback.
//
//   import { Agent, fetch } from 'undici';
//   const dispatcher = new Agent({ connect: undiciConnector({ ca }) });
//   await fetch('https://example.com/', { dispatcher });
import { connect, type ConnectOptions } from './connect.js';
import type { TLSSocket } from './socket.js';

/** What undici passes to its `connect` function (the fields hush uses). */
export interface UndiciConnectParams {
  hostname: string;
  host?: string;
  protocol?: string;
  port: string | number;
  servername?: string | null;
  localAddress?: string | null;
  httpSocket?: unknown;
}

/** undici's connector callback: (null, socket) or (error, null). */
export type UndiciConnectCallback = (...args: [null, TLSSocket] | [Error, null]) => void;

/**
 * A connect function for undici: `defaults` are hush connect() options (ca, ALPNProtocols,
 * rejectUnauthorized, ...). Only https origins are supported; an http origin fails clearly.
 * ALPN defaults to ['http/1.1'] (undici 6 speaks HTTP/1.1 unless allowH2 is set).
 */
export function undiciConnector(defaults: ConnectOptions = {}): (params: UndiciConnectParams, cb: UndiciConnectCallback) => TLSSocket | undefined {
  return (params, cb) => {
    if (params.protocol !== undefined && params.protocol !== 'https:') {
      cb(new Error(`hush's undici connector speaks TLS only; ${params.protocol} origins need undici's own connector`), null);
      return undefined;
    }
    let socket: TLSSocket;
    try {
      socket = connect({
        ALPNProtocols: ['http/1.1'],
        ...defaults,
        host: params.hostname,
        port: Number(params.port || 443),
        ...(params.servername ? { servername: params.servername } : {}),
        ...(params.localAddress ? { localAddress: params.localAddress } : {}),
      });
    } catch (e) {
      cb(e as Error, null);
      return undefined;
    }
    const onError = (err: Error): void => cb(err, null);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.removeListener('error', onError);
      cb(null, socket);
    });
    return socket;
  };
}
