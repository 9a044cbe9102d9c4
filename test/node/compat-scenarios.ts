// The node:tls compatibility scenarios (issue #16 "Done when"): each names a node:tls server (on
// 127.0.0.1) and the client options; run() drives one client — node:tls's or hush/node's — and
// records what a program written for node:tls would branch on: the error code, authorized /
// authorizationError, and the sequence of events.
import tls from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { DAY, generateTestKey, privateKeyPem, testCa, testCert } from '../pki.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { issueCrl } from '../../src/x509/revocation-builder.js';

export interface Pki {
  ca: string;
  otherCa: string;
  server: { key: string; cert: string };
  /** leaf + intermediate, issued under ca (through an intermediate). */
  chained: { key: string; cert: string };
  expired: { key: string; cert: string };
  notYetValid: { key: string; cert: string };
  selfSigned: { key: string; cert: string };
  /** leaf + its root (the root is not trusted by the client). */
  withRoot: { key: string; cert: string };
  /** No subjectAltName, CN=localhost. */
  cnOnly: { key: string; cert: string };
  client: { key: string; cert: string };
  /** leaf + an "intermediate" that is not a CA (basicConstraints CA:FALSE). */
  notCa: { key: string; cert: string };
  /** leaf + a CA whose keyUsage lacks keyCertSign. */
  noCertSign: { key: string; cert: string };
  /** leaf + a CA whose name constraints permit only example.com. */
  constrained: { key: string; cert: string };
  /** A leaf with an unknown critical extension. */
  critical: { key: string; cert: string };
  /** A leaf whose extendedKeyUsage allows clientAuth only. */
  clientOnly: { key: string; cert: string };
  /** leaf + intermediate with pathLen 0 + another intermediate below it. */
  pathLen: { key: string; cert: string };
  /** An expired client certificate from the trusted CA. */
  expiredClient: { key: string; cert: string };
  /** A client certificate from a CA the server does not trust. */
  strangerClient: { key: string; cert: string };
  /** A leaf that `crl` (the CA's CRL, PEM) lists as revoked. */
  revoked: { key: string; cert: string };
  crl: string;
}

export function makePki(): Pki {
  const localhost = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  const now = Date.now();
  const ca = testCa('CN=compat CA');
  const other = testCa('CN=other CA');
  const inter = testCert(generateTestKey('p256'), ca, { subject: 'CN=compat intermediate', ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const leaf = (issuer = ca, o: Partial<Parameters<typeof testCert>[2]> = {}) => {
    const c = testCert(generateTestKey('p256'), issuer, { subject: 'CN=localhost', ...localhost, ...o });
    return { key: privateKeyPem(c.key), cert: c.pem };
  };
  const selfKey = generateTestKey('p256');
  const self = testCert(selfKey, undefined, { subject: 'CN=localhost', ...localhost });
  const chainedLeaf = testCert(generateTestKey('p256'), inter, { subject: 'CN=localhost', ...localhost });
  const rootOnly = testCa('CN=untrusted root');
  const underRoot = testCert(generateTestKey('p256'), rootOnly, { subject: 'CN=localhost', ...localhost });
  const cnOnly = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost' });
  const client = testCert(generateTestKey('p256'), ca, { subject: 'CN=compat client', extKeyUsage: ['clientAuth'] });
  const fakeCa = testCert(generateTestKey('p256'), ca, { subject: 'CN=not a CA', ca: false, keyUsage: ['keyCertSign', 'digitalSignature'] });
  const underFake = testCert(generateTestKey('p256'), fakeCa, { subject: 'CN=localhost', ...localhost });
  const noSign = testCert(generateTestKey('p256'), ca, { subject: 'CN=no certsign', ca: true, keyUsage: ['digitalSignature', 'cRLSign'] });
  const underNoSign = testCert(generateTestKey('p256'), noSign, { subject: 'CN=localhost', ...localhost });
  const nc = testCert(generateTestKey('p256'), ca, { subject: 'CN=constrained', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], nameConstraints: { permittedDns: ['example.com'] } });
  const underNc = testCert(generateTestKey('p256'), nc, { subject: 'CN=localhost', ...localhost });
  const crit = testCert(generateTestKey('p256'), ca, {
    subject: 'CN=localhost',
    ...localhost,
    extensions: [{ oid: '1.3.6.1.4.1.55555.1', critical: true, value: new Uint8Array([0x05, 0x00]) }],
  });
  const clientOnly = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', ...localhost, extKeyUsage: ['clientAuth'] });
  const limited = testCert(generateTestKey('p256'), ca, { subject: 'CN=pathlen 0', ca: { pathLen: 0 }, keyUsage: ['keyCertSign', 'cRLSign'] });
  const below = testCert(generateTestKey('p256'), limited, { subject: 'CN=below pathlen', ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const tooDeep = testCert(generateTestKey('p256'), below, { subject: 'CN=localhost', ...localhost });
  const expiredClient = testCert(generateTestKey('p256'), ca, { subject: 'CN=expired client', extKeyUsage: ['clientAuth'], notBefore: now - 30 * DAY, notAfter: now - DAY });
  const stranger = testCert(generateTestKey('p256'), other, { subject: 'CN=stranger', extKeyUsage: ['clientAuth'] });
  const revoked = testCert(generateTestKey('p256'), ca, { subject: 'CN=localhost', ...localhost });
  const crl = issueCrl({
    provider,
    issuer: { certificate: ca.certificate, key: ca.key },
    thisUpdate: now - DAY,
    nextUpdate: now + DAY,
    revoked: [{ serial: revoked.certificate, date: now - DAY, reason: 'keyCompromise' }],
  });
  return {
    ca: ca.pem,
    otherCa: other.pem,
    server: leaf(),
    chained: { key: privateKeyPem(chainedLeaf.key), cert: chainedLeaf.pem + inter.pem },
    expired: leaf(ca, { notBefore: now - 30 * DAY, notAfter: now - DAY }),
    notYetValid: leaf(ca, { notBefore: now + DAY, notAfter: now + 30 * DAY }),
    selfSigned: { key: privateKeyPem(selfKey), cert: self.pem },
    withRoot: { key: privateKeyPem(underRoot.key), cert: underRoot.pem + rootOnly.pem },
    cnOnly: { key: privateKeyPem(cnOnly.key), cert: cnOnly.pem },
    client: { key: privateKeyPem(client.key), cert: client.pem },
    notCa: { key: privateKeyPem(underFake.key), cert: underFake.pem + fakeCa.pem },
    noCertSign: { key: privateKeyPem(underNoSign.key), cert: underNoSign.pem + noSign.pem },
    constrained: { key: privateKeyPem(underNc.key), cert: underNc.pem + nc.pem },
    critical: { key: privateKeyPem(crit.key), cert: crit.pem },
    clientOnly: { key: privateKeyPem(clientOnly.key), cert: clientOnly.pem },
    pathLen: { key: privateKeyPem(tooDeep.key), cert: tooDeep.pem + below.pem + limited.pem },
    expiredClient: { key: privateKeyPem(expiredClient.key), cert: expiredClient.pem },
    strangerClient: { key: privateKeyPem(stranger.key), cert: stranger.pem },
    revoked: { key: privateKeyPem(revoked.key), cert: revoked.pem },
    crl: crl.pem,
  };
}

export interface Scenario {
  readonly name: string;
  readonly server: (pki: Pki) => tls.TlsOptions;
  /** Options common to both clients (host/port are added). */
  readonly client: (pki: Pki) => Record<string, unknown>;
  /**
   * Connect twice, the second time with the first connection's session: as connect({ session })
   * (true), or through setSession() right after connect() ('setSession').
   */
  readonly resume?: boolean | 'setSession';
  /** The length getFinished() and getPeerFinished() must give (compared between the clients too). */
  readonly finished?: number;
}

const ok = (p: Pki): tls.TlsOptions => ({ ...p.server });

export const SCENARIOS: readonly Scenario[] = [
  { name: 'trusted', server: ok, client: (p) => ({ ca: p.ca }) },
  { name: 'untrusted (leaf only)', server: ok, client: (p) => ({ ca: p.otherCa }) },
  { name: 'untrusted (leaf + intermediate)', server: (p) => ({ ...p.chained }), client: (p) => ({ ca: p.otherCa }) },
  { name: 'untrusted, rejectUnauthorized: false', server: ok, client: (p) => ({ ca: p.otherCa, rejectUnauthorized: false }) },
  { name: 'expired', server: (p) => ({ ...p.expired }), client: (p) => ({ ca: p.ca }) },
  { name: 'expired, rejectUnauthorized: false', server: (p) => ({ ...p.expired }), client: (p) => ({ ca: p.ca, rejectUnauthorized: false }) },
  { name: 'not yet valid', server: (p) => ({ ...p.notYetValid }), client: (p) => ({ ca: p.ca }) },
  { name: 'wrong host', server: ok, client: (p) => ({ ca: p.ca, servername: 'wrong.example' }) },
  { name: 'wrong host, rejectUnauthorized: false', server: ok, client: (p) => ({ ca: p.ca, servername: 'wrong.example', rejectUnauthorized: false }) },
  { name: 'self-signed leaf', server: (p) => ({ ...p.selfSigned }), client: (p) => ({ ca: p.ca }) },
  { name: 'self-signed leaf, rejectUnauthorized: false', server: (p) => ({ ...p.selfSigned }), client: (p) => ({ ca: p.ca, rejectUnauthorized: false }) },
  { name: 'self-signed root in chain', server: (p) => ({ ...p.withRoot }), client: (p) => ({ ca: p.ca }) },
  { name: 'issuer is not a CA', server: (p) => ({ ...p.notCa }), client: (p) => ({ ca: p.ca }) },
  { name: 'issuer keyUsage lacks keyCertSign', server: (p) => ({ ...p.noCertSign }), client: (p) => ({ ca: p.ca }) },
  { name: 'name constraints violated', server: (p) => ({ ...p.constrained }), client: (p) => ({ ca: p.ca }) },
  { name: 'unknown critical extension', server: (p) => ({ ...p.critical }), client: (p) => ({ ca: p.ca }) },
  { name: 'leaf for clientAuth only', server: (p) => ({ ...p.clientOnly }), client: (p) => ({ ca: p.ca }) },
  { name: 'path length exceeded', server: (p) => ({ ...p.pathLen }), client: (p) => ({ ca: p.ca }) },
  // node's crl option: OpenSSL checks every certificate of the path (CRL_CHECK | CRL_CHECK_ALL); hush too.
  { name: 'revoked (crl)', server: (p) => ({ ...p.revoked }), client: (p) => ({ ca: p.ca, crl: p.crl }) },
  { name: 'revoked (crl), rejectUnauthorized: false', server: (p) => ({ ...p.revoked }), client: (p) => ({ ca: p.ca, crl: p.crl, rejectUnauthorized: false }) },
  { name: 'checkServerIdentity returns an error', server: ok, client: (p) => ({ ca: p.ca, checkServerIdentity: refuseIdentity }) },
  { name: 'checkServerIdentity accepts a wrong host', server: ok, client: (p) => ({ ca: p.ca, servername: 'wrong.example', checkServerIdentity: () => undefined }) },
  { name: 'checkServerIdentity accepts, but the chain is untrusted', server: ok, client: (p) => ({ ca: p.otherCa, checkServerIdentity: () => undefined }) },
  { name: 'checkServerIdentity accepts a wrong host, but the chain is untrusted', server: ok, client: (p) => ({ ca: p.otherCa, servername: 'wrong.example', checkServerIdentity: () => undefined }) },
  { name: 'checkServerIdentity with rejectUnauthorized: false, untrusted chain', server: ok, client: (p) => ({ ca: p.otherCa, rejectUnauthorized: false, checkServerIdentity: refuseIdentity }) },
  { name: 'client certificate missing (TLS 1.3)', server: (p) => ({ ...p.server, ca: p.ca, requestCert: true, rejectUnauthorized: true }), client: (p) => ({ ca: p.ca }) },
  { name: 'client certificate missing (TLS 1.2)', server: (p) => ({ ...p.server, ca: p.ca, requestCert: true, rejectUnauthorized: true }), client: (p) => ({ ca: p.ca, maxVersion: 'TLSv1.2' }) },
  { name: 'client certificate rejected (TLS 1.3)', server: (p) => ({ ...p.server, ca: p.ca, requestCert: true, rejectUnauthorized: true }), client: (p) => ({ ca: p.ca, ...p.strangerClient }) },
  { name: 'client certificate rejected (TLS 1.2)', server: (p) => ({ ...p.server, ca: p.ca, requestCert: true, rejectUnauthorized: true }), client: (p) => ({ ca: p.ca, ...p.strangerClient, maxVersion: 'TLSv1.2' }) },
  { name: 'client certificate accepted', server: (p) => ({ ...p.server, ca: p.ca, requestCert: true, rejectUnauthorized: true }), client: (p) => ({ ca: p.ca, ...p.client }) },
  { name: 'alert protocol_version', server: (p) => ({ ...p.server, minVersion: 'TLSv1.3' }), client: (p) => ({ ca: p.ca, maxVersion: 'TLSv1.2' }) },
  { name: 'alert handshake_failure (no shared group)', server: (p) => ({ ...p.server, ecdhCurve: 'P-384' }), client: (p) => ({ ca: p.ca, ecdhCurve: 'X25519' }) },
  { name: 'alert handshake_failure (no shared cipher)', server: (p) => ({ ...p.server, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }), client: (p) => ({ ca: p.ca, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }) },
  { name: 'ALPN mismatch', server: (p) => ({ ...p.server, ALPNProtocols: ['h2'] }), client: (p) => ({ ca: p.ca, ALPNProtocols: ['http/1.1'] }) },
  { name: 'ALPN agreed', server: (p) => ({ ...p.server, ALPNProtocols: ['h2', 'http/1.1'] }), client: (p) => ({ ca: p.ca, ALPNProtocols: ['http/1.1'] }) },
  { name: 'resumption (TLS 1.3)', server: ok, client: (p) => ({ ca: p.ca }), resume: true },
  { name: 'resumption (TLS 1.2)', server: ok, client: (p) => ({ ca: p.ca, maxVersion: 'TLSv1.2' }), resume: true },
  { name: 'resumption through setSession() (TLS 1.3)', server: ok, client: (p) => ({ ca: p.ca }), resume: 'setSession' },
  { name: 'resumption through setSession() (TLS 1.2)', server: ok, client: (p) => ({ ca: p.ca, maxVersion: 'TLSv1.2' }), resume: 'setSession' },
  { name: 'getFinished() length (TLS 1.3, SHA-256 suite)', server: ok, client: (p) => ({ ca: p.ca, ciphers: 'TLS_AES_128_GCM_SHA256' }), finished: 32 },
  { name: 'getFinished() length (TLS 1.3, SHA-384 suite)', server: ok, client: (p) => ({ ca: p.ca, ciphers: 'TLS_AES_256_GCM_SHA384' }), finished: 48 },
  { name: 'getFinished() length (TLS 1.2)', server: ok, client: (p) => ({ ca: p.ca, maxVersion: 'TLSv1.2' }), finished: 12 },
  { name: 'getFinished() length (TLS 1.2, resumed)', server: ok, client: (p) => ({ ca: p.ca, maxVersion: 'TLSv1.2' }), resume: true, finished: 12 },
];

function refuseIdentity(host: string): Error {
  const e = new Error(`refused ${host}`) as Error & { code: string };
  e.code = 'ERR_CUSTOM_IDENTITY';
  return e;
}

export interface Outcome {
  code: string | undefined;
  message: string | undefined;
  authorized: boolean | undefined;
  authorizationError: string | null | undefined;
  events: string[];
  alpnProtocol?: string | false | null;
  reused?: boolean;
  /** getFinished() / getPeerFinished() lengths at 'secureConnect'. */
  finished?: number | undefined;
  peerFinished?: number | undefined;
  /** The raw error (for extra checks). */
  error?: Error & Record<string, unknown>;
}

type AnySocket = tls.TLSSocket & { once(ev: string, f: (...a: unknown[]) => void): unknown };
type ConnectFn = (options: Record<string, unknown>, cb?: () => void) => AnySocket;

export async function startServer(opts: tls.TlsOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer({ ...opts }, (s) => {
    s.on('error', () => {});
    s.end('hello');
  });
  server.on('tlsClientError', () => {});
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** One connection: resolves at 'close' (or after 5 s, reported as a 'timeout' event). */
export function runOnce(connect: ConnectFn, options: Record<string, unknown>, before?: (sock: AnySocket) => void): Promise<Outcome & { session?: Buffer }> {
  return new Promise((resolve) => {
    const events: string[] = [];
    let error: (Error & Record<string, unknown>) | undefined;
    let session: Buffer | undefined;
    let reused: boolean | undefined;
    let finished: number | undefined;
    let peerFinished: number | undefined;
    const sock = connect({ host: 'localhost', ...options });
    before?.(sock);
    const done = (): void => {
      clearTimeout(timer);
      resolve({
        code: error?.code as string | undefined,
        message: error?.message,
        authorized: sock.authorized,
        authorizationError: (sock.authorizationError as unknown as string | null | undefined) ?? null,
        events,
        alpnProtocol: sock.alpnProtocol,
        reused,
        finished,
        peerFinished,
        ...(error ? { error } : {}),
        ...(session ? { session } : {}),
      });
    };
    const timer = setTimeout(() => {
      events.push('timeout');
      sock.destroy();
      done();
    }, 5000);
    // (node:tls's isSessionReused() after 'close' reads a freed SSL: node 20 crashes.)
    sock.once('secureConnect', () => {
      events.push('secureConnect');
      reused = sock.isSessionReused();
      finished = sock.getFinished()?.length;
      peerFinished = sock.getPeerFinished()?.length;
    });
    sock.on('session', (s: unknown) => {
      session = s as Buffer;
    });
    sock.on('data', () => {
      if (!events.includes('data')) events.push('data');
    });
    sock.once('end', () => events.push('end'));
    sock.once('error', (e: unknown) => {
      error = e as Error & Record<string, unknown>;
      events.push('error');
    });
    sock.once('close', (hadError: unknown) => {
      events.push(`close(${String(hadError)})`);
      done();
    });
  });
}

/** A scenario through one client implementation. */
export async function runScenario(connect: ConnectFn, sc: Scenario, pki: Pki): Promise<Outcome> {
  const srv = await startServer(sc.server(pki));
  try {
    const opts = { port: srv.port, ...sc.client(pki) };
    const first = await runOnce(connect, opts);
    if (!sc.resume) return first;
    // node delivers the TLS 1.3 session after the handshake; the first connection is closed by now.
    const second =
      sc.resume === 'setSession'
        ? await runOnce(connect, opts, (sock) => (sock as unknown as { setSession(s: Buffer): void }).setSession(first.session!))
        : await runOnce(connect, { ...opts, session: first.session });
    return { ...second, events: [...first.events, '|', ...second.events] };
  } finally {
    await srv.close();
  }
}

/**
 * An external session cache on a server made by `make` (node:tls's createServer or hush's):
 * 'newSession'/'resumeSession' store into a Map and answer a turn later; a node:tls client
 * connects twice with TLS 1.2, the second time with its session. The server's events in order,
 * with isSessionReused() on both sides.
 */
export async function runSessionCache(make: (o: tls.TlsOptions, l: (s: tls.TLSSocket) => void) => tls.Server, pki: Pki, serverOptions: tls.TlsOptions): Promise<string[]> {
  const events: string[] = [];
  const server = make({ ...pki.server, ...serverOptions }, (s) => {
    events.push(`secureConnection(reused=${s.isSessionReused()})`);
    s.on('error', () => {});
    s.end('hello');
  });
  const store = new Map<string, Buffer>();
  server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
    events.push(`newSession(${id.length})`);
    store.set(id.toString('hex'), data);
    setImmediate(cb);
  });
  server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => {
    const hit = store.get(id.toString('hex'));
    events.push(`resumeSession(${id.length}, ${hit ? 'hit' : 'miss'})`);
    setImmediate(() => cb(null, hit ?? null));
  });
  server.on('tlsClientError', (e: Error) => events.push(`tlsClientError(${e.message})`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const port = (server.address() as AddressInfo).port;
    let session: Buffer | undefined;
    for (let i = 0; i < 2; i++) {
      const out = await runOnce(tls.connect as never, { port, ca: pki.ca, maxVersion: 'TLSv1.2', ...(session ? { session } : {}) });
      session = out.session;
      events.push(`client(reused=${String(out.reused)})`);
    }
  } finally {
    server.close();
    await once(server, 'close');
  }
  return events;
}
