// Seeds for the decoder targets, taken from clean seeded handshakes of every scenario: each
// handshake message as sent (by version and type), each flight, the certificates and their PEM.
import { SCENARIOS, runPair, type Version } from './handshake.js';
import { fuzzPki, provider } from './pki.js';
import { encodePem } from '../../src/asn1/pem.js';
import { concat } from '../../src/bytes/util.js';

export interface Corpus {
  /** Full handshake messages (header included) by `${version}:${type}`; HRR is `13:hrr`. */
  readonly messages: ReadonlyMap<string, readonly Uint8Array[]>;
  /** Every flight of every clean handshake, as sent on the wire. */
  readonly flights: readonly Uint8Array[];
  /** The handshake bytes of each sendHandshake call (messages back to back). */
  readonly handshakeStreams: readonly Uint8Array[];
  readonly certificates: readonly Uint8Array[];
  /** Other DER: the private keys (PKCS#8). */
  readonly otherDer: readonly Uint8Array[];
  readonly pems: readonly string[];
}

let cached: Corpus | undefined;

const HRR_RANDOM_PREFIX = [0xcf, 0x21, 0xad, 0x74];

export function corpus(): Corpus {
  if (cached) return cached;
  const messages = new Map<string, Uint8Array[]>();
  const flights: Uint8Array[] = [];
  const streams: Uint8Array[] = [];
  const add = (version: Version, m: Uint8Array): void => {
    let key = `${version}:${m[0]}`;
    if (m[0] === 2 && HRR_RANDOM_PREFIX.every((b, i) => m[6 + i] === b)) key = '13:hrr';
    // A TLS 1.3 client's ClientHello also offers TLS 1.2: file it under both.
    const list = messages.get(key) ?? [];
    if (list.length < 16 && !list.some((x) => x.length === m.length && x.every((b, i) => b === m[i]))) list.push(m);
    messages.set(key, list);
  };
  for (const scn of SCENARIOS) {
    const run = runPair(scn, {});
    if (run.client.state !== 'established' || run.server.state !== 'established') {
      throw new Error(`clean ${scn.name} handshake failed: ${run.client.error?.message ?? run.server.error?.message ?? 'stalled'}`);
    }
    flights.push(...run.flights.map((f) => f.bytes));
    for (const call of run.calls) {
      streams.push(call.messages.length === 1 ? call.messages[0]! : concat(...call.messages));
      for (const m of call.messages) add(scn.version, m);
    }
  }
  const pki = fuzzPki();
  cached = {
    messages,
    flights,
    handshakeStreams: streams,
    certificates: [pki.caDer, pki.server.chain[0]!, pki.client.chain[0]!],
    otherDer: [provider.exportPrivateKey(pki.server.key)],
    pems: [...pki.pems, encodePem('PRIVATE KEY', provider.exportPrivateKey(pki.client.key))],
  };
  return cached;
}

/** Bodies (without the 4-byte header) of the messages under these keys. */
export function bodies(...keys: string[]): Uint8Array[] {
  const c = corpus();
  const out = keys.flatMap((k) => (c.messages.get(k) ?? []).map((m) => m.subarray(4)));
  if (out.length === 0) throw new Error(`no corpus messages for ${keys.join(', ')}`);
  return out;
}
