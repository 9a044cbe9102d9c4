// The two TLS implementations under test behind one small shape: a server that calls back with
// each established socket, and a client connect that resolves once the handshake is done.
// hush/node is shaped like node:tls, so both sides take the same options.
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as hushConnect, createServer as hushCreateServer } from '../node/index.js';
import type { BenchPki, CertKind } from './pki.js';

export type Impl = 'hush' | 'node';
export type TlsVersion = 'TLSv1.3' | 'TLSv1.2';

/** A socket from either implementation: the node:tls TLSSocket surface the bench uses. */
export type BenchSocket = Duplex & {
  getProtocol(): string | null;
  getCipher(): { name: string; standardName?: string } | undefined;
  isSessionReused(): boolean;
  authorized: boolean;
};

export interface ServerSpec {
  readonly impl: Impl;
  readonly cert: CertKind;
  /** node's ecdhCurve for the server; default 'X25519'; 'auto' = the implementation's own default list. */
  readonly ecdhCurve?: string | undefined;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(spec: ServerSpec, pki: BenchPki, onSecure: (s: BenchSocket) => void): Promise<RunningServer> {
  const leaf = pki.leaves[spec.cert];
  const curve = spec.ecdhCurve ?? 'X25519';
  const options = { key: leaf.keyPem, cert: leaf.certPem, ...(curve === 'auto' ? {} : { ecdhCurve: curve }), minVersion: 'TLSv1.2' as const, maxVersion: 'TLSv1.3' as const };
  const server =
    spec.impl === 'hush'
      ? hushCreateServer(options, (s) => onSecure(s as unknown as BenchSocket))
      : tls.createServer(options, (s) => onSecure(s as unknown as BenchSocket));
  // A client that goes away mid-handshake (end of a timed window) is not an error here.
  server.on('tlsClientError', () => {});
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ClientSpec {
  readonly impl: Impl;
  readonly port: number;
  readonly caPem: string;
  readonly version: TlsVersion;
  /** One suite, by the name both implementations accept (IANA for 1.3, OpenSSL for 1.2). */
  readonly cipher?: string | undefined;
  readonly session?: Buffer | undefined;
  /** node's ecdhCurve for the client; default 'X25519:P-256'; 'auto' = the implementation's own default list. */
  readonly ecdhCurve?: string | undefined;
}

/**
 * Connect with the chain and the host name (localhost) verified, X25519 key exchange. Resolves with the
 * socket once the handshake completed; `onSession` gets every ticket the server sends.
 */
export function connectClient(spec: ClientSpec, onSession?: (session: Buffer) => void): Promise<BenchSocket> {
  const options = {
    host: '127.0.0.1',
    port: spec.port,
    servername: 'localhost',
    ca: spec.caPem,
    rejectUnauthorized: true,
    // X25519 is the key exchange (the only key share sent); P-256 is listed because a TLS 1.2
    // server may use an ECDSA P-256 certificate only with a client that lists its curve.
    ...(spec.ecdhCurve === 'auto' ? {} : { ecdhCurve: spec.ecdhCurve ?? 'X25519:P-256' }),
    minVersion: spec.version,
    maxVersion: spec.version,
    ...(spec.cipher ? { ciphers: spec.cipher } : {}),
    ...(spec.session ? { session: spec.session } : {}),
  };
  return new Promise<BenchSocket>((resolve, reject) => {
    const s = (spec.impl === 'hush' ? hushConnect(options) : tls.connect(options)) as unknown as BenchSocket;
    if (onSession) s.on('session', onSession);
    s.once('error', reject);
    s.once('secureConnect', () => {
      s.removeListener('error', reject);
      if (!s.authorized) {
        s.destroy();
        reject(new Error(`${spec.impl} client: the server was not authorized`));
        return;
      }
      resolve(s);
    });
  });
}

/** Resolve on the socket's next 'drain'; reject if it closes first (backpressure for bench writers). */
export function waitForDrain(s: BenchSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      s.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      s.off('drain', onDrain);
      reject(new Error('closed while writing'));
    };
    s.once('drain', onDrain);
    s.once('close', onClose);
  });
}
