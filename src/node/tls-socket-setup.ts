// `new TLSSocket(socket, options)` with node:tls's options (no prepared connection): a client
// configured as connect() configures one, or, with `isServer`, a server configured as
// createServer() configures its sockets. Lives apart from socket.ts so that the socket does not
// import connect() and the server (which import it): index.ts installs it.
import type { Duplex } from 'node:stream';
import { ClientConnection } from '../connection/client.js';
import { UsageError } from '../errors/errors.js';
import { clientConfigFromOptions, type ConnectOptions } from './connect.js';
import { TLSServer, type ServerOptions } from './server.js';
import { SecureContext } from './secure-context.js';
import { NODE_CLIENT_TRANSPORT } from './alloc.js';
import { parseHandshakeTimeout } from './options.js';
import { registerSocketSetup, type NodeTLSSocketOptions, type ResolvedSocketSetup, type TLSSocket, type TLSSocketOptions } from './socket.js';

/** node's TLSSocket options that only concern the net.Socket or node's internals: accepted, unused. */
const IGNORED = ['isServer', 'server', 'secureContext', 'requestOCSP', 'pipe', 'manualStart'] as const;

function serverSetup(options: NodeTLSSocketOptions): ResolvedSocketSetup {
  const o = { ...options } as Record<string, unknown>;
  for (const k of IGNORED) if (k !== 'secureContext') delete o[k];
  if (options.secureContext !== undefined && !(options.secureContext instanceof SecureContext)) {
    throw new UsageError("secureContext must come from hush's createSecureContext()");
  }
  // node's bare server socket rejects unverified clients only when asked (tls.Server defaults to true).
  const serverOptions = { ...o, rejectUnauthorized: options.rejectUnauthorized === true } as ServerOptions;
  const server = new TLSServer(serverOptions);
  let socket: TLSSocket | undefined;
  const keyLog = options.keyLog === true;
  const connection = server.connectionFor(keyLog, () => socket?.resumeConnection());
  return {
    options: { connection, ...server.socketOptions },
    attach: (s) => {
      socket = s;
    },
  };
}

function clientSetup(options: NodeTLSSocketOptions): ResolvedSocketSetup {
  const o = { ...options } as Record<string, unknown>;
  for (const k of IGNORED) delete o[k];
  const ctx = options.secureContext;
  if (ctx !== undefined && !(ctx instanceof SecureContext)) throw new UsageError("secureContext must come from hush's createSecureContext()");
  if (ctx?.trust !== undefined && o.ca === undefined) o.ca = ctx.trust;
  // node's bare client socket never rejects: the application reads `authorized` on 'secure'.
  const { config: base, host, servername } = clientConfigFromOptions({ ...(o as ConnectOptions), rejectUnauthorized: false });
  const config = ctx !== undefined && ctx.certificates.length > 0 && base.clientCertificate === undefined ? { ...base, clientCertificate: ctx.certificates[0] } : base;
  return {
    options: {
      connection: new ClientConnection(config, NODE_CLIENT_TRANSPORT),
      servername,
      host,
      handshakeTimeout: parseHandshakeTimeout(options.handshakeTimeout),
      rejectTruncation: options.rejectTruncation === true,
      localCertificate: config.clientCertificate?.chain[0],
      allowHalfOpen: options.allowHalfOpen === true,
      highWaterMark: typeof options.highWaterMark === 'number' ? options.highWaterMark : undefined,
      onread: options.onread as TLSSocketOptions['onread'],
    },
  };
}

registerSocketSetup((_raw: Duplex, options) => (options.isServer === true ? serverSetup(options) : clientSetup(options)));
