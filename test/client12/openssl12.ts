// openssl s_server for the TLS 1.2 client tests: like test/interop/peers.ts startOpensslServer, but
// with the protocol version and the TLS 1.2 options (-cipher, -no_ticket, -no_etm, ...) ours to choose.
import { ClientConnection } from '../../src/connection/client.js';
import { nodeCryptoProvider } from '../../src/crypto/node/index.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import { requirePeer, startProcess, testTrust, type PeerServer } from '../interop/peers.js';

export interface Openssl12Options {
  readonly cert: string;
  readonly key: string;
  /** Version flags: default ['-tls1_2']; [] leaves s_server's defaults (TLS 1.2 and 1.3). */
  readonly versions?: readonly string[];
  /** OpenSSL TLS 1.2 cipher list (-cipher). */
  readonly cipher?: string;
  /** 'rev' (default): lines echoed reversed; 'stdio': s_server's own loop (stdin commands like "R"). */
  readonly mode?: 'rev' | 'stdio';
  readonly extraArgs?: readonly string[];
}

export async function startOpenssl12(opts: Openssl12Options): Promise<PeerServer> {
  requirePeer('openssl');
  const args = ['s_server', ...(opts.versions ?? ['-tls1_2']), '-accept', '127.0.0.1:0', '-cert', opts.cert, '-key', opts.key, '-naccept', '1000'];
  args.push('-cert_chain', opts.cert);
  if (opts.cipher) args.push('-cipher', opts.cipher);
  if (opts.mode !== 'stdio') args.push('-rev');
  if (opts.extraArgs) args.push(...opts.extraArgs);
  const stdio = opts.mode === 'stdio';
  const p = await startProcess('openssl', args, { readyRegex: /^ACCEPT 127\.0\.0\.1:\d+$/m, timeoutMs: 10_000, stdin: stdio, lifetimeMs: 60_000 });
  const port = Number(/^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(p.stdout())![1]);
  return {
    name: 'openssl',
    host: '127.0.0.1',
    port,
    log: () => p.stderr() + p.stdout(),
    stop: () => p.stop(),
    ...(stdio ? { stdin: (text: string) => void p.proc.stdin!.write(text), stdout: () => p.stdout() } : {}),
  };
}

/** A hush client for localhost trusting the test CA, tracing on. */
export function client12(extra: Partial<ClientConfig> = {}): ClientConnection {
  return new ClientConnection({
    provider: nodeCryptoProvider,
    now: Date.now,
    serverName: 'localhost',
    trust: testTrust(),
    trace: true,
    ...extra,
  });
}
