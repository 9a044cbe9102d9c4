// The connection's record layer (src/connection/record-layer.ts) on its own: protection switching
// on the way in (plaintext, then TLS 1.3 records, the plaintext-alert window), rejected early data
// skipped by trial decryption, and the way out (plaintext until a sealer is set, application data
// coalesced in one slab from the allocator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { tls13SuiteById } from '../../src/crypto/suites.js';
import { TlsError } from '../../src/errors/index.js';
import { RecordLayer } from '../../src/connection/record-layer.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { RecordOpener13, RecordSealer13 } from '../../src/record/protection13.js';
import { trafficKeys } from '../../src/schedule/tls13.js';

const suite = tls13SuiteById(0x1301)!;
const keysOf = (seed: number) => trafficKeys(provider, suite, new Uint8Array(32).fill(seed));
const HANDSHAKE = 22;
const ALERT = 21;
const APP = 23;

function unexpected(e: unknown): boolean {
  return e instanceof TlsError && e.alertName === 'unexpected_message';
}

test('record layer in: plaintext, then opened under the read keys; a plaintext alert only before the first opened record', () => {
  const layer = new RecordLayer();
  layer.push(writePlaintextRecords(HANDSHAKE, 0x0303, Uint8Array.of(2, 0, 0, 0)));
  assert.deepEqual(layer.read(), { type: HANDSHAKE, content: Uint8Array.of(2, 0, 0, 0), via: 'plain' });
  assert.equal(layer.read(), undefined);

  layer.setOpener(new RecordOpener13(provider, suite, keysOf(1)));
  assert.equal(layer.readProtected, true);
  // The peer has not switched yet: its alert comes in the clear and is taken as such.
  layer.push(writePlaintextRecords(ALERT, 0x0303, Uint8Array.of(2, 48)));
  assert.deepEqual(layer.read(), { type: ALERT, content: Uint8Array.of(2, 48), via: 'unprotected-alert' });

  const peer = new RecordSealer13(provider, suite, keysOf(1));
  layer.push(peer.seal(HANDSHAKE, Uint8Array.of(20, 0, 0, 1, 9)));
  assert.deepEqual(layer.read(), { type: HANDSHAKE, content: Uint8Array.of(20, 0, 0, 1, 9), via: 'opened' });
  // Now the peer has switched: a plaintext alert is refused.
  layer.push(writePlaintextRecords(ALERT, 0x0303, Uint8Array.of(2, 48)));
  assert.throws(() => layer.read(), unexpected);
});

test('record layer in: rejected 0-RTT records are skipped until one decrypts, within the byte budget', () => {
  const layer = new RecordLayer();
  let trials = 0;
  layer.setOpener(new RecordOpener13(provider, suite, keysOf(2)));
  layer.skipEarlyData(1000, () => {
    trials++;
    return new RecordOpener13(provider, suite, keysOf(2));
  });
  const early = new RecordSealer13(provider, suite, keysOf(9)); // the 0-RTT key we do not have
  const handshake = new RecordSealer13(provider, suite, keysOf(2));
  layer.push(concat(early.seal(APP, new Uint8Array(100)), early.seal(APP, new Uint8Array(100)), handshake.seal(HANDSHAKE, Uint8Array.of(20, 0, 0, 0))));
  const r = layer.read();
  assert.equal(r?.type, HANDSHAKE);
  assert.equal(r?.via, 'opened');
  assert.equal(trials, 3, 'two failed trials, one that decrypted and ended the skipping');
  // Skipping ended: an undecryptable record is now an error.
  layer.push(early.seal(APP, new Uint8Array(1)));
  assert.throws(() => layer.read(), (e) => e instanceof TlsError && e.alertName === 'bad_record_mac');

  const small = new RecordLayer();
  small.skipEarlyData(50, () => new RecordOpener13(provider, suite, keysOf(2)));
  small.push(early.seal(APP, new Uint8Array(100)));
  assert.throws(() => small.read(), unexpected, 'over the budget');
});

test('record layer out: plaintext until a sealer is set; application data coalesced in one slab from the allocator', () => {
  const sizes: number[] = [];
  const layer = new RecordLayer((n) => {
    sizes.push(n);
    return new Uint8Array(n).fill(0xee);
  });
  assert.equal(layer.wantsWrite, false);
  layer.send(HANDSHAKE, Uint8Array.of(1, 0, 0, 0), 0x0301);
  const [hello] = layer.takeOutput();
  assert.deepEqual(hello, Uint8Array.of(HANDSHAKE, 3, 1, 0, 4, 1, 0, 0, 0));
  assert.throws(() => layer.sendApplicationData(Uint8Array.of(1)), (e) => e instanceof TlsError && e.alertName === 'internal_error');

  layer.setSealer(new RecordSealer13(provider, suite, keysOf(3)));
  layer.sendApplicationData(new Uint8Array(10).fill(1));
  layer.sendApplicationData(new Uint8Array(20).fill(2));
  assert.equal(sizes.length, 1, 'one slab for both writes');
  const out = layer.takeOutput();
  assert.equal(out.length, 1, 'the two writes are one contiguous view');
  assert.equal(layer.wantsWrite, false);
  const opener = new RecordOpener13(provider, suite, keysOf(3));
  const wire = out[0]!;
  const first = { type: wire[0]!, version: 0x0303, fragment: wire.subarray(5, 5 + ((wire[3]! << 8) | wire[4]!)) };
  assert.deepEqual(opener.open(first).content, new Uint8Array(10).fill(1));
  const rest = wire.subarray(5 + first.fragment.length);
  assert.deepEqual(opener.open({ type: rest[0]!, version: 0x0303, fragment: rest.subarray(5) }).content, new Uint8Array(20).fill(2));
  // An alert in between: the next application data starts a new view.
  layer.sendApplicationData(Uint8Array.of(1));
  layer.send(ALERT, Uint8Array.of(1, 0), 0x0303);
  layer.sendApplicationData(Uint8Array.of(2));
  assert.equal(layer.takeOutput().length, 3);
});
