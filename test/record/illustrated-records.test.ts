// Every encrypted record of both Illustrated TLS 1.3 captures: deframed, opened with the keys
// from the derived secrets, compared with the decrypted files byte for byte, then sealed again
// with the same key and sequence number and compared with the wire bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, fromHex, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { RecordDeframer, type TlsRecord } from '../../src/record/deframer.js';
import { RecordOpener13, RecordSealer13 } from '../../src/record/protection13.js';
import { trafficKeys } from '../../src/schedule/tls13.js';
import { archive, current, type Capture } from '../schedule/illustrated.js';

type Epoch = 'server_handshake' | 'client_handshake' | 'server_application' | 'client_application';
const SECRET: Record<Epoch, string> = {
  server_handshake: 'server_handshake_traffic_secret',
  client_handshake: 'client_handshake_traffic_secret',
  server_application: 'server_application_traffic_secret_0',
  client_application: 'client_application_traffic_secret_0',
};

/** [epoch, encrypted file, decrypted TLSInnerPlaintext file], in sequence order per epoch. */
const CURRENT: [Epoch, string, string][] = [
  ['server_handshake', 'serverencextensions', 'serverextensions'],
  ['server_handshake', 'serverenccert', 'servercert'],
  ['server_handshake', 'serverenccertverify', 'servercertverify'],
  ['server_handshake', 'serverencfinished', 'serverfinished'],
  ['client_handshake', 'clientencfinished', 'clientfinished'],
  ['client_application', 'clientencdata', 'clientdata'],
  ['server_application', 'serverencticket1', 'serverticket1'],
  ['server_application', 'serverencticket2', 'serverticket2'],
  ['server_application', 'serverencdata', 'serverdata'],
];
const ARCHIVE: [Epoch, string, string][] = [
  ['server_handshake', 'serverenchandshake', 'serverhandshake'],
  ['client_handshake', 'clientfinished', 'clientfinishedplain'],
  ['client_application', 'clientdata', 'clientdataplain'],
  ['server_application', 'servertickets', 'serverticketsplain'],
  ['server_application', 'serverdata', 'serverdataplain'],
];

function one(bytes: Uint8Array): TlsRecord {
  const d = new RecordDeframer();
  d.push(bytes);
  const r = d.next();
  assert.ok(r);
  assert.equal(d.next(), undefined);
  assert.equal(d.bufferedBytes, 0);
  return r;
}

function run(c: Capture, list: [Epoch, string, string][]): number {
  const seq = new Map<Epoch, bigint>();
  let n = 0;
  for (const [epoch, encName, plainName] of list) {
    const keys = trafficKeys(provider, c.suite, fromHex(c.derived.get(SECRET[epoch])!));
    const s = seq.get(epoch) ?? 0n;
    seq.set(epoch, s + 1n);
    const wire = c.file(encName);
    const inner = c.file(plainName);
    const opener = new RecordOpener13(provider, c.suite, keys, { initialSequence: s });
    const opened = opener.open(one(wire));
    assert.equal(toHex(concat(opened.content, Uint8Array.of(opened.type))), toHex(inner), `${c.label}: ${encName} decrypts to ${plainName}`);
    assert.equal(opener.sequenceNumber, s + 1n);
    const sealer = new RecordSealer13(provider, c.suite, keys, { initialSequence: s });
    const sealed = sealer.seal(inner[inner.length - 1]!, inner.subarray(0, inner.length - 1));
    assert.equal(toHex(sealed), toHex(wire), `${c.label}: ${plainName} seals to ${encName}`);
    n++;
  }
  return n;
}

test('Illustrated TLS 1.3: all 9 encrypted records open and re-seal byte for byte', () => {
  assert.equal(run(current(), CURRENT), 9);
});

test('Illustrated TLS 1.3 archive: all 5 encrypted records open and re-seal byte for byte', () => {
  assert.equal(run(archive(), ARCHIVE), 5);
});

test('Illustrated TLS 1.3: the server stream fed one byte at a time deframes and opens in sequence', () => {
  const c = current();
  const names = ['serverhello', 'serverccs', 'serverencextensions', 'serverenccert', 'serverenccertverify', 'serverencfinished'];
  const stream = concat(...names.map((n) => c.file(n)));
  const d = new RecordDeframer();
  const records: { type: number; fragment: Uint8Array; version: number }[] = [];
  const opener = new RecordOpener13(provider, c.suite, trafficKeys(provider, c.suite, fromHex(c.derived.get(SECRET.server_handshake)!)));
  const inner: string[] = [];
  for (let i = 0; i < stream.length; i++) {
    d.push(stream.subarray(i, i + 1));
    for (let r = d.next(); r; r = d.next()) {
      records.push({ type: r.type, version: r.version, fragment: r.fragment.slice() });
      if (r.type === 23) {
        const o = opener.open(r); // open before next(): the fragment view is reused
        inner.push(toHex(concat(o.content, Uint8Array.of(o.type))));
      }
    }
  }
  assert.deepEqual(records.map((r) => r.type), [22, 20, 23, 23, 23, 23]);
  assert.equal(d.bufferedBytes, 0);
  for (let i = 0; i < names.length; i++) assert.equal(toHex(records[i]!.fragment), toHex(c.file(names[i]!).subarray(5)));
  assert.deepEqual(inner, ['serverextensions', 'servercert', 'servercertverify', 'serverfinished'].map((n) => toHex(c.file(n))));
});
