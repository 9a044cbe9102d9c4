// Seeded in-memory client↔server handshakes for the connection fuzz targets, with two places to
// mutate: a whole flight as raw bytes on the wire, or one handshake message before it is sealed
// (the sending connection's sendHandshake is wrapped on the instance: src/ is unchanged). The
// sender keeps the original message in its transcript, so the peer sees a validly protected
// message that differs from what the sender hashed.
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { TlsConnection } from '../../src/connection/api.js';
import type { ClientConfig, EchServerKey, ServerConfig } from '../../src/handshake/config.js';
import { hpkeDeriveKeyPair } from '../../src/hpke/context.js';
import { HpkeKemId } from '../../src/hpke/suite.js';
import { encodeEchConfig, encodeEchConfigList } from '../../src/handshake/ech/ech-config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { TlsError } from '../../src/errors/errors.js';
import { AlertDescription } from '../../src/errors/alert.js';
import { CipherSuite, NamedGroup } from '../../src/wire/enums.js';
import { fuzzPki, now, provider, reseed } from './pki.js';
import { join, sameBytes } from './mutator.js';
import { FuzzFailure } from './failure.js';

export type Version = 13 | 12;

export interface Scenario {
  readonly name: string;
  readonly version: Version;
  client(): ClientConfig;
  server(): ServerConfig;
  /** Post-handshake traffic, started once when both sides are established (its flights are fuzzed too). */
  readonly after?: (client: ClientConnection, server: ServerConnection) => void;
}

const SERVER_NAME = 'fuzz.test';

function baseClient(over: Partial<ClientConfig> = {}): ClientConfig {
  return { provider, now, serverName: SERVER_NAME, trust: fuzzPki().trust, alpnProtocols: ['h2', 'http/1.1'], ...over };
}

function baseServer(over: Partial<ServerConfig> = {}): ServerConfig {
  const pki = fuzzPki();
  // sessionCache false: no state shared between iterations (resumption uses stateless tickets).
  return { provider, now, certificates: [pki.server], alpnProtocols: ['http/1.1'], ticketKeys: pki.ticketKeys, sessionCache: false, ...over };
}

const tickets = new Map<string, SessionTicket>();

/** The ticket of a clean handshake of `version` (made once, deterministically). */
function ticketFor(version: Version): SessionTicket {
  const key = `t${version}`;
  let t = tickets.get(key);
  if (!t) {
    const scn = version === 13 ? SCENARIOS[0]! : SCENARIOS.find((s) => s.name === 'tls12')!;
    const run = runPair(scn, {});
    t = run.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : []))[0];
    if (!t) throw new Error(`no session ticket from a clean ${scn.name} handshake`);
    tickets.set(key, t);
  }
  return t;
}

const mtlsServer = (): Partial<ServerConfig> => ({ clientAuth: 'required', clientTrust: fuzzPki().trust });

let echKeyMemo: EchServerKey | undefined;
/** One ECH key (RFC 9849), derived from a fixed seed so that every run sees the same bytes. */
function echKey(): EchServerKey {
  if (!echKeyMemo) {
    const { sk, pk } = hpkeDeriveKeyPair(provider, HpkeKemId.DHKEM_X25519_HKDF_SHA256, new Uint8Array(32).fill(0x45));
    const config = encodeEchConfig({ configId: 7, kem: HpkeKemId.DHKEM_X25519_HKDF_SHA256, publicKey: pk, cipherSuites: [{ kdf: 1, aead: 1 }], maximumNameLength: 0, publicName: 'public.fuzz.test', extensions: [] });
    echKeyMemo = { config, privateKey: sk };
  }
  return echKeyMemo;
}
const echClient = (over: Partial<ClientConfig> = {}): ClientConfig => baseClient({ echConfigList: encodeEchConfigList([echKey().config]), ...over });
const echServer = (over: Partial<ServerConfig> = {}): ServerConfig => baseServer({ ech: { keys: [echKey()] }, ...over });

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'tls13', version: 13, client: () => baseClient(), server: () => baseServer(),
    // KeyUpdate both ways and application data across several records.
    after(client, server) {
      server.updateKeys(true);
      server.write(new Uint8Array(300).fill(0x61));
      client.write(new Uint8Array(20_000).fill(0x62));
    },
  },
  {
    name: 'tls13-mtls', version: 13,
    client: () => baseClient({ clientCertificate: fuzzPki().client }),
    server: () => baseServer(mtlsServer()),
  },
  {
    // The client's one key share is x25519; the server takes only P-256: HelloRetryRequest.
    name: 'tls13-hrr', version: 13,
    client: () => baseClient({ groups: [NamedGroup.x25519, NamedGroup.secp256r1] }),
    server: () => baseServer({ groups: [NamedGroup.secp256r1] }),
  },
  { name: 'tls13-resume', version: 13, client: () => baseClient({ session: ticketFor(13) }), server: () => baseServer() },
  // Encrypted Client Hello (RFC 9849): ClientHelloOuter sealing ClientHelloInner, accepted; and with a HelloRetryRequest.
  { name: 'tls13-ech', version: 13, client: () => echClient(), server: () => echServer() },
  {
    name: 'tls13-ech-hrr', version: 13,
    client: () => echClient({ groups: [NamedGroup.x25519, NamedGroup.secp256r1] }),
    server: () => echServer({ groups: [NamedGroup.secp256r1] }),
  },
  {
    name: 'tls12', version: 12, client: () => baseClient({ maxVersion: 'TLSv1.2' }), server: () => baseServer(),
    after(client, server) {
      server.write(new Uint8Array(300).fill(0x61));
      client.write(new Uint8Array(20_000).fill(0x62));
    },
  },
  {
    name: 'tls12-mtls', version: 12,
    client: () => baseClient({ maxVersion: 'TLSv1.2', clientCertificate: fuzzPki().client }),
    server: () => baseServer(mtlsServer()),
  },
  { name: 'tls12-resume', version: 12, client: () => baseClient({ maxVersion: 'TLSv1.2', session: ticketFor(12) }), server: () => baseServer() },
  {
    // RSA key transport: a mangled ClientKeyExchange takes the RFC 5246 §7.4.7.1 path.
    name: 'tls12-rsa', version: 12,
    client: () => baseClient({ cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] }),
    server: () => baseServer({ certificates: [fuzzPki().rsaServer], cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] }),
  },
];

/** Where a run replaces bytes. */
export type Substitution =
  | { readonly mode: 'raw'; readonly flight: number; readonly bytes: Uint8Array }
  | { readonly mode: 'message'; readonly call: number; readonly message: number; readonly bytes: Uint8Array };

export interface Flight {
  readonly from: 'client' | 'server';
  readonly bytes: Uint8Array;
  /** Both sides were established before this flight arrived: nothing in it is transcript-covered. */
  readonly postHandshake: boolean;
}

export interface SendCall {
  readonly from: 'client' | 'server';
  /** The handshake messages of one sendHandshake call (a flight may be sent in one call). */
  readonly messages: readonly Uint8Array[];
  readonly postHandshake: boolean;
}

export interface PairRun {
  readonly client: ClientConnection;
  readonly server: ServerConnection;
  readonly clientEvents: ConnectionEvent[];
  readonly serverEvents: ConnectionEvent[];
  readonly flights: Flight[];
  readonly calls: SendCall[];
  /** Bytes moved in both directions. */
  readonly wireBytes: number;
}

/** Rounds of the pump: a handshake takes 3-5; more means the two sides are spinning. */
const MAX_ROUNDS = 48;
/** Bytes a single mutated handshake may move (a handshake moves ~5 KB): more is unbounded output. */
const MAX_WIRE_BYTES = 1 << 20;

const established = (c: TlsConnection): boolean => c.state === 'established';

/** Split a buffer of back-to-back handshake messages; undefined when it does not frame exactly. */
export function splitMessages(b: Uint8Array): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < b.length) {
    if (b.length - p < 4) return undefined;
    const n = (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    if (b.length - p < 4 + n) return undefined;
    out.push(b.subarray(p, p + 4 + n));
    p += 4 + n;
  }
  return out;
}

/**
 * One seeded handshake of `scn`, with at most one substitution. Throws FuzzFailure for an
 * exception that is not a TlsError, a local internal_error (the connection's wrapping of one),
 * unbounded output or a pump that never settles.
 */
export function runPair(scn: Scenario, sub: Partial<{ raw: Substitution & { mode: 'raw' }; message: Substitution & { mode: 'message' } }>): PairRun {
  // Configs first: they may make the PKI or a ticket (clean runs of their own) on first use.
  const clientConfig = scn.client();
  const serverConfig = scn.server();
  reseed(0x4a11, scn.version);
  const client = new ClientConnection(clientConfig);
  const server = new ServerConnection(serverConfig);
  const run: PairRun = { client, server, clientEvents: [], serverEvents: [], flights: [], calls: [], wireBytes: 0 };
  let wire = 0;
  // Wrap sendHandshake on both instances: record each call, and substitute the chosen message.
  for (const conn of [client, server]) {
    const original = conn.sendHandshake.bind(conn);
    conn.sendHandshake = (message: Uint8Array): void => {
      const index = run.calls.length;
      const messages = splitMessages(message) ?? [message];
      run.calls.push({ from: conn.side, messages: messages.map((m) => m.slice()), postHandshake: established(client) && established(server) });
      const s = sub.message;
      if (s && s.call === index) {
        const replaced = messages.map((m, i) => (i === s.message ? s.bytes : m));
        const out = join(...replaced);
        if (out.length === 0) return; // the message deleted
        original(out);
        return;
      }
      original(message);
    };
  }
  const drain = (): void => {
    run.clientEvents.push(...client.takeEvents());
    run.serverEvents.push(...server.takeEvents());
  };
  let after = scn.after;
  for (let round = 0; ; round++) {
    if (after && established(client) && established(server)) {
      after(client, server);
      after = undefined;
    }
    const outC = join(...client.takeOutput());
    const outS = join(...server.takeOutput());
    if (outC.length === 0 && outS.length === 0) break;
    if (round >= MAX_ROUNDS) throw new FuzzFailure('hang', `${scn.name}: the two sides still talk after ${MAX_ROUNDS} rounds`);
    for (const [from, to, bytes0] of [['client', server, outC], ['server', client, outS]] as const) {
      if (bytes0.length === 0) continue;
      const index = run.flights.length;
      let bytes = bytes0;
      // A copy: the receiver may decrypt records in place in the buffer it is given.
      run.flights.push({ from, bytes: bytes0.slice(), postHandshake: established(client) && established(server) });
      if (sub.raw && sub.raw.flight === index) bytes = sub.raw.bytes;
      wire += bytes.length;
      if (wire > MAX_WIRE_BYTES) throw new FuzzFailure('memory', `${scn.name}: over ${MAX_WIRE_BYTES} bytes on the wire in one handshake`);
      if (bytes.length > 0) deliver(to, bytes.slice());
    }
    drain();
  }
  drain();
  checkNoInternalError(client);
  checkNoInternalError(server);
  return { ...run, wireBytes: wire };
}

function deliver(to: TlsConnection, bytes: Uint8Array): void {
  let r: TlsError | undefined;
  try {
    r = to.receive(bytes);
  } catch (e) {
    throw FuzzFailure.fromException(`${to.side}.receive() threw`, e);
  }
  if (r !== undefined && !(r instanceof TlsError)) throw new FuzzFailure('exception', `${to.side}.receive() returned a non-TlsError`);
}

/** A local internal_error is the connection's wrapping of an exception that is not a TlsError, or a broken invariant. */
export function checkNoInternalError(conn: TlsConnection): void {
  const e = conn.error;
  if (e && !e.remote && e.alert === AlertDescription.internal_error) {
    const cause = (e as { cause?: unknown }).cause;
    const where = cause instanceof Error ? `\n${cause.stack ?? cause.message}` : '';
    throw new FuzzFailure('exception', `${conn.side} failed with internal_error: ${e.message}${where}`);
  }
}

/** After both sides report established: application data must flow both ways. */
export function checkAgreement(run: PairRun, what: string): void {
  const { client, server } = run;
  const ping = new TextEncoder().encode('ping');
  const pong = new TextEncoder().encode('pong');
  client.write(ping);
  const toServer = join(...client.takeOutput());
  deliver(server, toServer);
  server.write(pong);
  deliver(client, join(...server.takeOutput()));
  const got = (evs: ConnectionEvent[]) => join(...evs.flatMap((e) => (e.type === 'data' ? [e.data] : [])));
  const atServer = got(server.takeEvents());
  const atClient = got(client.takeEvents());
  checkNoInternalError(client);
  checkNoInternalError(server);
  if (!sameBytes(atServer, ping) || !sameBytes(atClient, pong)) {
    throw new FuzzFailure(
      'completed',
      `${what}: both sides established, but application data does not flow (client: ${client.error?.message ?? 'ok'}, server: ${server.error?.message ?? 'ok'})`,
    );
  }
}
