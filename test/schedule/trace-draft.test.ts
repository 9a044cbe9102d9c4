// The TLS 1.3 trace draft (tls13-traces-draft, NOT RFC 8448's values; see its NOTES.md).
// 1. Every printed HKDF step is recomputed from its printed inputs with hush's functions.
// 2. Each section's handshake is replayed through the typed key schedule and the transcript
//    (including §4's PSK binder and resumption, §5's HelloRetryRequest message_hash) starting
//    only from the key pairs and the handshake messages, and every printed secret is compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { tls13SuiteById } from '../../src/crypto/suites.js';
import { deriveSecret, hkdfLabel } from '../../src/schedule/hkdf-label.js';
import { Transcript } from '../../src/schedule/transcript.js';
import {
  EarlySecret, finishedKey, finishedVerifyData, pskBinder, resumptionPsk, trafficKeys, type TrafficKeys,
} from '../../src/schedule/tls13.js';
import { splitHandshake } from './illustrated.js';
import { actionLabel, loadTrace, type TraceStep } from './trace.js';

const suite = tls13SuiteById(0x1301)!; // every trace uses TLS_AES_128_GCM_SHA256
const H = 'sha256' as const;
const EMPTY = new Uint8Array(0);
const trace = loadTrace();

function eq(actual: Uint8Array, expected: Uint8Array | undefined, what: string): void {
  assert.ok(expected !== undefined, `${what}: value missing in trace`);
  assert.equal(toHex(actual), toHex(expected), what);
}

/** Recompute one printed step; returns how many printed values it reproduced. */
function checkStep(s: TraceStep): number {
  const f = s.fields;
  const what = `§${s.section} {${s.role}} ${s.action}`;
  if (f.size === 0) return 0;
  const a = s.action;
  if (a.startsWith('extract secret')) {
    const salt = s.zeroSalt ? new Uint8Array(32) : f.get('salt')!;
    const ikm = f.get('IKM')!;
    if (a.includes('"early"')) {
      // The stage API: PSK absent ⇔ IKM of zeros.
      const psk = ikm.every((b) => b === 0) ? undefined : ikm;
      eq(EarlySecret.start(provider, H, psk).secret, f.get('secret'), what);
    } else {
      eq(provider.hkdfExtract(H, salt, ikm), f.get('secret'), what);
    }
    return 1;
  }
  if (a.startsWith('derive secret')) {
    const label = actionLabel(a)!;
    const hash = f.get('hash')!;
    eq(hkdfLabel(label, hash, 32), f.get('info'), `${what} info`);
    eq(deriveSecret(provider, H, f.get('PRK')!, label, hash), f.get('expanded'), what);
    return 2;
  }
  if (/derive (write|read) traffic keys/.test(a)) {
    const k = trafficKeys(provider, suite, f.get('PRK')!);
    eq(hkdfLabel('key', EMPTY, 16), f.get('key info'), `${what} key info`);
    eq(hkdfLabel('iv', EMPTY, 12), f.get('iv info'), `${what} iv info`);
    eq(k.key, f.get('key expanded'), `${what} key`);
    eq(k.iv, f.get('iv expanded'), `${what} iv`);
    return 4;
  }
  if (a.startsWith('calculate finished')) {
    eq(hkdfLabel('finished', EMPTY, 32), f.get('info'), `${what} info`);
    eq(finishedKey(provider, H, f.get('PRK')!), f.get('expanded'), what);
    return 2; // "finished" needs the transcript: checked by the replay below
  }
  if (a.startsWith('generate resumption secret')) {
    const nonce = f.get('hash')!;
    eq(hkdfLabel('resumption', nonce, 32), f.get('info'), `${what} info`);
    eq(resumptionPsk(provider, H, f.get('PRK')!, nonce), f.get('expanded'), what);
    return 2;
  }
  if (a.startsWith('calculate PSK binder')) {
    const t = new Transcript(provider, H);
    eq(t.hashWith(f.get('ClientHello prefix')!), f.get('binder hash'), `${what} binder hash`);
    eq(finishedKey(provider, H, f.get('PRK')!), f.get('expanded'), `${what} finished key`);
    eq(pskBinder(provider, H, f.get('PRK')!, f.get('binder hash')!), f.get('finished'), what);
    return 3;
  }
  if (a.startsWith('create an ephemeral')) {
    const group = a.includes('x25519') ? 0x001d : 0x0017;
    eq(provider.keyExchange(group)!.fromPrivateKey(f.get('private key')!).publicKey, f.get('public key'), what);
    return 1;
  }
  return 0; // messages and records: used by the replay and the record tests
}

test('trace draft: every printed HKDF / key / binder step recomputes', () => {
  const perSection = new Map<number, number>();
  for (const [section, steps] of trace) {
    let n = 0;
    for (const s of steps) n += checkStep(s);
    perSection.set(section, n);
  }
  assert.deepEqual([...perSection.entries()], [[3, 45], [4, 54], [5, 44], [6, 43], [7, 43]]);
});

interface Flow {
  /** Printed values the replay reproduced. */
  count: number;
  /** Resumption PSK derived from this handshake's NewSessionTicket, if it has one. */
  psk?: Uint8Array;
}

/** Find the n-th step (0-based) with fields whose action starts with `prefix` (and role, if given). */
function find(steps: TraceStep[], prefix: string, role?: 'client' | 'server', n = 0): TraceStep {
  const found = steps.filter((s) => s.fields.size > 0 && s.action.startsWith(prefix) && (!role || s.role === role));
  const s = found[n];
  assert.ok(s, `no step '${prefix}' (${role ?? 'any'}) #${n}`);
  return s;
}

/**
 * Replay a section's handshake: handshake messages are taken from the records' payloads (the
 * printed ClientHello of §4 is the truncated one), the key pairs from the "create" steps.
 */
function replay(section: number, psk?: Uint8Array): Flow {
  const steps = trace.get(section)!;
  let count = 0;
  const check = (actual: Uint8Array, expected: Uint8Array | undefined, what: string) => {
    eq(actual, expected, `§${section} replay: ${what}`);
    count++;
  };

  // Handshake messages in order, with the sender.
  const msgs: { role: 'client' | 'server'; type: number; body: Uint8Array }[] = [];
  for (const s of steps) {
    if (s.action.startsWith('send handshake record')) {
      for (const m of splitHandshake(s.fields.get('payload')!)) msgs.push({ role: s.role, type: m[0]!, body: m });
    }
  }
  const clientHellos = msgs.filter((m) => m.type === 1);
  const hrr = clientHellos.length === 2;

  // (EC)DHE from the last key pairs each side created.
  const creates = steps.filter((s) => s.action.startsWith('create an ephemeral'));
  const clientKp = creates.filter((s) => s.role === 'client').at(-1)!;
  const serverKp = creates.filter((s) => s.role === 'server').at(-1)!;
  const group = clientKp.action.includes('x25519') ? 0x001d : 0x0017;
  const shared = provider.keyExchange(group)!.fromPrivateKey(clientKp.fields.get('private key')!).complete(serverKp.fields.get('public key')!);
  check(shared, find(steps, 'extract secret "handshake"').fields.get('IKM'), 'shared secret = handshake IKM');

  const t = new Transcript(provider);
  let i = 0;
  const addNext = (type: number) => {
    const m = msgs[i++]!;
    assert.equal(m.type, type, `§${section}: expected handshake type ${type}, got ${m.type}`);
    t.add(m.body);
    return m.body;
  };

  const early = EarlySecret.start(provider, H, psk);
  check(early.secret, find(steps, 'extract secret "early"').fields.get('secret'), 'early secret');
  if (hrr) {
    // RFC 8446 §4.4.1: ClientHello1 becomes message_hash before the HelloRetryRequest.
    addNext(1);
    t.selectHash(H);
    t.replaceWithMessageHash();
    addNext(2);
  }
  if (psk) {
    // RFC 8446 §4.2.11.2: binder over the ClientHello up to the binders list.
    const ch = msgs[i]!.body;
    const binderStep = find(steps, 'calculate PSK binder', 'client');
    const prefix = binderStep.fields.get('ClientHello prefix')!;
    eq(ch.subarray(0, prefix.length), prefix, 'truncated ClientHello is a prefix of the ClientHello');
    const binderHash = t.hashWith(prefix, H);
    check(binderHash, binderStep.fields.get('binder hash'), 'binder hash');
    const binderKey = early.binderKey('resumption');
    check(binderKey, binderStep.fields.get('PRK'), 'binder key ("res binder")');
    const binder = pskBinder(provider, H, binderKey, binderHash);
    check(binder, binderStep.fields.get('finished'), 'PSK binder');
    // The binder is the last bytes of the ClientHello (binders<33..2^16-1> with one 32-byte entry).
    eq(ch.subarray(ch.length - 32), binder, 'binder inside the ClientHello');
  }
  addNext(1);
  t.selectHash(H);
  if (psk) {
    const chHash = t.hash();
    check(early.clientEarlyTrafficSecret(chHash), find(steps, 'derive secret "tls13 c e traffic"').fields.get('expanded'), 'client_early_traffic_secret');
    check(early.earlyExporterMasterSecret(chHash), find(steps, 'derive secret "tls13 e exp master"').fields.get('expanded'), 'early_exporter_master_secret');
  }

  const hs = early.intoHandshake(shared);
  check(hs.salt, find(steps, 'derive secret for handshake "tls13 derived"').fields.get('expanded'), 'derived (early)');
  check(hs.secret, find(steps, 'extract secret "handshake"').fields.get('secret'), 'handshake secret');
  addNext(2);
  const helloHash = t.hash();
  const chs = find(steps, 'derive secret "tls13 c hs traffic"');
  check(helloHash, chs.fields.get('hash'), 'transcript CH..SH');
  const hsT = hs.trafficSecrets(helloHash);
  check(hsT.client, chs.fields.get('expanded'), 'client_handshake_traffic_secret');
  check(hsT.server, find(steps, 'derive secret "tls13 s hs traffic"').fields.get('expanded'), 'server_handshake_traffic_secret');
  const keysOf = (k: TrafficKeys, step: TraceStep, what: string) => {
    check(k.key, step.fields.get('key expanded'), `${what} key`);
    check(k.iv, step.fields.get('iv expanded'), `${what} iv`);
  };
  keysOf(trafficKeys(provider, suite, hsT.server), find(steps, 'derive write traffic keys for handshake data', 'server'), 'server handshake');

  // Server flight up to CertificateVerify (EncryptedExtensions, [CertificateRequest], [Certificate, CertificateVerify]).
  while (msgs[i] && msgs[i]!.role === 'server' && msgs[i]!.type !== 20) addNext(msgs[i]!.type);
  const sf = find(steps, 'calculate finished "tls13 finished"', 'server');
  const sfData = finishedVerifyData(provider, H, hsT.server, t.hash());
  check(sfData, sf.fields.get('finished'), 'server Finished verify_data');
  const sfMsg = addNext(20);
  eq(sfMsg.subarray(4), sfData, 'server Finished message');
  const sfHash = t.hash();

  const ms = hs.intoMaster();
  check(ms.salt, find(steps, 'derive secret for master "tls13 derived"').fields.get('expanded'), 'derived (handshake)');
  check(ms.secret, find(steps, 'extract secret "master"').fields.get('secret'), 'master secret');
  const ap = ms.applicationTrafficSecrets(sfHash);
  check(ap.client, find(steps, 'derive secret "tls13 c ap traffic"').fields.get('expanded'), 'client_application_traffic_secret_0');
  check(ap.server, find(steps, 'derive secret "tls13 s ap traffic"').fields.get('expanded'), 'server_application_traffic_secret_0');
  check(ms.exporterMasterSecret(sfHash), find(steps, 'derive secret "tls13 exp master"').fields.get('expanded'), 'exporter_master_secret');
  keysOf(trafficKeys(provider, suite, ap.server), find(steps, 'derive write traffic keys for application data', 'server'), 'server application');
  keysOf(trafficKeys(provider, suite, ap.client), find(steps, 'derive write traffic keys for application data', 'client'), 'client application');

  // Client flight: [EndOfEarlyData], [Certificate, CertificateVerify], Finished.
  while (msgs[i] && msgs[i]!.role === 'client' && msgs[i]!.type !== 20) addNext(msgs[i]!.type);
  const cfData = finishedVerifyData(provider, H, hsT.client, t.hash());
  check(cfData, find(steps, 'calculate finished "tls13 finished"', 'client').fields.get('finished'), 'client Finished verify_data');
  const cfMsg = addNext(20);
  eq(cfMsg.subarray(4), cfData, 'client Finished message');
  const rms = ms.resumptionMasterSecret(t.hash());
  check(rms, find(steps, 'derive secret "tls13 res master"').fields.get('expanded'), 'resumption_master_secret');

  const flow: Flow = { count };
  const nst = msgs.slice(i).find((m) => m.type === 4);
  if (nst) {
    // NewSessionTicket: lifetime(4) age_add(4) ticket_nonce<0..255> ... (RFC 8446 §4.6.1)
    const nonceLen = nst.body[12]!;
    const nonce = nst.body.subarray(13, 13 + nonceLen);
    flow.psk = resumptionPsk(provider, H, rms, nonce);
    check(flow.psk, find(steps, 'generate resumption secret').fields.get('expanded'), 'resumption PSK from the ticket nonce');
    flow.count = count;
  }
  assert.equal(msgs.slice(i).filter((m) => m.type !== 4).length, 0, `§${section}: unreplayed handshake messages`);
  return flow;
}

test('trace draft §3 (1-RTT) and §4 (resumed, PSK from §3\'s ticket): full replay', () => {
  const s3 = replay(3);
  assert.equal(s3.count, 22);
  assert.ok(s3.psk);
  const s4 = replay(4, s3.psk);
  assert.equal(s4.count, 26);
});

test('trace draft §5 (HelloRetryRequest, message_hash transcript), §6 (client auth), §7 (compatibility mode): full replay', () => {
  assert.deepEqual([5, 6, 7].map((s) => replay(s).count), [21, 21, 21]);
});
