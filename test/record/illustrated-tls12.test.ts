// The Illustrated TLS 1.2 connection (tls12.xargs.org; test/vectors/illustrated-tls12):
// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, x25519, no EMS. Recompute the whole TLS 1.2 key schedule
// from the ephemeral keys and the captured records, open every encrypted record with
// RecordOpener12 and re-seal it byte for byte with RecordSealer12 (the explicit IVs scripted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { concat, fromHex, toHex } from '../../src/bytes/index.js';
import { createNodeCryptoProvider, nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { tls12SuiteById } from '../../src/crypto/suites.js';
import { TlsError } from '../../src/errors/index.js';
import { RecordOpener12, RecordSealer12 } from '../../src/record/protection12.js';
import type { TlsRecord } from '../../src/record/deframer.js';
import { finishedVerifyData12, keyBlock12, masterSecret12 } from '../../src/schedule/tls12.js';
import { readVector, readVectorText } from '../vectors.js';

const cap = (name: string): Uint8Array => readVector(`illustrated-tls12/captures/caps/${name}`);
const derived = new Map<string, string>();
for (const line of readVectorText('illustrated-tls12/derived-values.txt').split('\n')) {
  if (line.startsWith('#') || !line.trim()) continue;
  const i = line.indexOf(': ');
  derived.set(line.slice(0, i), line.slice(i + 2).trim());
}
const d = (name: string): string => {
  const v = derived.get(name);
  assert.ok(v !== undefined, `derived-values has no ${name}`);
  return v;
};

/** x25519 key files: PKCS#8 / SPKI PEM; the raw key is the last 32 bytes of the DER. */
function rawKey(name: string): Uint8Array {
  const pem = readVectorText(`illustrated-tls12/keys/${name}`);
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  return new Uint8Array(der.subarray(der.length - 32));
}

const asRecord = (b: Uint8Array): TlsRecord => {
  assert.equal((b[3]! << 8) | b[4]!, b.length - 5, 'capture file is exactly one record');
  return { type: b[0]!, version: (b[1]! << 8) | b[2]!, fragment: b.subarray(5) };
};

const suite = tls12SuiteById(0xc013)!;
const clientRandom = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const serverRandom = fromHex('707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f');

function schedule() {
  const x25519 = provider.keyExchange(0x001d)!;
  const clientShare = x25519.fromPrivateKey(rawKey('client-ephemeral-private.key'));
  const serverShare = x25519.fromPrivateKey(rawKey('server-ephemeral-private.key'));
  assert.equal(toHex(clientShare.publicKey), toHex(rawKey('client-ephemeral-public.key')));
  const pms = clientShare.complete(serverShare.publicKey);
  assert.equal(toHex(serverShare.complete(clientShare.publicKey)), toHex(pms));
  const master = masterSecret12(provider, suite.prfHash, pms, clientRandom, serverRandom);
  return { pms, master, keys: keyBlock12(provider, suite, master, clientRandom, serverRandom) };
}

test('illustrated TLS 1.2: the randoms and suite in the captured hellos are the ones used here', () => {
  const ch = cap('clienthello');
  const sh = cap('serverhello');
  assert.equal(toHex(ch.subarray(11, 43)), toHex(clientRandom));
  assert.equal(toHex(sh.subarray(11, 43)), toHex(serverRandom));
  assert.equal(toHex(sh.subarray(44, 46)), 'c013');
  assert.equal(suite.cipher.kind, 'cbc');
});

test('illustrated TLS 1.2: x25519 pre-master, master secret (= key log), key block', () => {
  const { pms, master, keys } = schedule();
  assert.equal(toHex(pms), d('pre_master_secret (X25519)'));
  assert.equal(toHex(master), d('master_secret'));
  const keylog = readVectorText('illustrated-tls12/captures/keylog.txt').trim().split(/\s+/);
  assert.deepEqual(keylog, ['CLIENT_RANDOM', toHex(clientRandom), toHex(master)]);
  assert.equal(toHex(keys.client.macKey), d('client_write_mac_key'));
  assert.equal(toHex(keys.server.macKey), d('server_write_mac_key'));
  assert.equal(toHex(keys.client.key), d('client_write_key'));
  assert.equal(toHex(keys.server.key), d('server_write_key'));
  // RFC 5246 §6.3: CBC suites use explicit IVs; hush derives no write IVs for them.
  assert.equal(keys.client.iv.length, 0);
  assert.equal(keys.server.iv.length, 0);
});

test('illustrated TLS 1.2: both Finished verify_data from the transcript of the captured records', () => {
  const { master, keys } = schedule();
  const hs = ['clienthello', 'serverhello', 'servercert', 'serverkeyexchange', 'serverhellodone', 'clientkeyexchange'].map((n) => cap(n).subarray(5));
  const hash1 = provider.digest('sha256', concat(...hs));
  assert.equal(toHex(hash1), d('handshake_hash (CH..ClientKeyExchange) sha256'));
  const clientVd = finishedVerifyData12(provider, suite.prfHash, master, 'client', hash1);
  assert.equal(toHex(clientVd), d('client_verify_data'));

  // The client Finished message is inside the encrypted record: decrypt it to extend the transcript.
  const clientFinished = new RecordOpener12(provider, suite, keys.client).open(asRecord(cap('clientfinished')));
  assert.equal(clientFinished.type, 22);
  assert.equal(toHex(clientFinished.content), '1400000c' + toHex(clientVd));
  const hash2 = provider.digest('sha256', concat(...hs, clientFinished.content));
  assert.equal(toHex(hash2), d('handshake_hash (CH..client Finished) sha256'));
  const serverVd = finishedVerifyData12(provider, suite.prfHash, master, 'server', hash2);
  assert.equal(toHex(serverVd), d('server_verify_data'));
  const serverFinished = new RecordOpener12(provider, suite, keys.server).open(asRecord(cap('serverfinished')));
  assert.equal(toHex(serverFinished.content), '1400000c' + toHex(serverVd));
});

/** Each direction's encrypted records in order (seq 0, 1, ...) and the expected content. */
const FLOWS = [
  { side: 'client' as const, records: [['clientfinished', 'clientfinishedplain'], ['clientdata', 'clientdataplain'], ['clientalert', 'clientalertplain']] },
  { side: 'server' as const, records: [['serverfinished', 'serverfinishedplain'], ['serverdata', 'serverdataplain']] },
];

/** The *plain files keep MAC (20) + padding_length (1) after the content, except clientfinishedplain. */
function expectedContent(plainName: string): Uint8Array {
  const plain = cap(plainName);
  return plainName === 'clientfinishedplain' ? plain : plain.subarray(0, plain.length - 21);
}

test('illustrated TLS 1.2: every encrypted record opens with RecordOpener12 to the *plain content', () => {
  const { keys } = schedule();
  let opened = 0;
  for (const flow of FLOWS) {
    const opener = new RecordOpener12(provider, suite, keys[flow.side]);
    for (const [name, plainName] of flow.records) {
      const rec = asRecord(cap(name!));
      const o = opener.open(rec);
      assert.equal(o.type, rec.type, name);
      assert.equal(toHex(o.content), toHex(expectedContent(plainName!)), name);
      opened++;
    }
    assert.equal(opener.sequenceNumber, BigInt(flow.records.length));
  }
  assert.equal(opened, 5);
  assert.equal(toHex(expectedContent('clientdataplain')), d('client_app_data (seq 1)'));
  assert.equal(toHex(expectedContent('serverdataplain')), d('server_app_data (seq 1)'));
  assert.equal(toHex(expectedContent('clientalertplain')), d('client_close_notify alert (seq 2)'));
});

test('illustrated TLS 1.2: the *plain files are the CBC plaintext without its padding bytes; the MAC is HMAC-SHA1 over seq || header || content', () => {
  const { keys } = schedule();
  const rec = asRecord(cap('clientdata'));
  const raw = provider.blockCipher('aes-128-cbc', keys.client.key).decrypt(rec.fragment.subarray(0, 16), rec.fragment.subarray(16));
  const plain = cap('clientdataplain');
  assert.equal(toHex(raw.subarray(0, plain.length - 1)), toHex(plain.subarray(0, plain.length - 1)));
  assert.equal(raw[raw.length - 1], plain[plain.length - 1]);
  // Minimal padding: "ping" + 20-byte MAC + 8 padding bytes (7 + the length byte) = 32.
  assert.equal(toHex(raw.subarray(24)), '0707070707070707');
  // RFC 5246 §6.2.3.1, computed with node:crypto directly: seq 1, type 23, version 0303, length 4.
  const mac = createHmac('sha1', keys.client.macKey).update(fromHex('0000000000000001' + '17' + '0303' + '0004')).update(raw.subarray(0, 4)).digest();
  assert.equal(toHex(raw.subarray(4, 24)), mac.toString('hex'));
});

test('illustrated TLS 1.2: RecordSealer12 with the captured explicit IVs reproduces every record byte for byte', () => {
  const { keys } = schedule();
  let sealed = 0;
  for (const flow of FLOWS) {
    const ivs = flow.records.map(([name]) => cap(name!).subarray(5, 21));
    let next = 0;
    const scripted = createNodeCryptoProvider({ randomBytes: (n) => {
      assert.equal(n, 16);
      return ivs[next++]!.slice();
    } });
    const sealer = new RecordSealer12(scripted, suite, keys[flow.side]);
    for (const [name, plainName] of flow.records) {
      const want = cap(name!);
      const got = sealer.seal(want[0]!, expectedContent(plainName!));
      assert.equal(toHex(got), toHex(want), name);
      sealed++;
    }
    assert.equal(next, flow.records.length, 'one IV per record');
  }
  assert.equal(sealed, 5);
  assert.equal(d('client_finished_record_iv'), toHex(cap('clientfinished').subarray(5, 21)));
  assert.equal(d('server_finished_record_iv'), toHex(cap('serverfinished').subarray(5, 21)));

  // The `randomBytes` option is the other way to script IVs; same bytes.
  const iv = cap('clientfinished').subarray(5, 21);
  const viaOption = new RecordSealer12(provider, suite, keys.client, { randomBytes: () => iv.slice() });
  assert.equal(toHex(viaOption.seal(22, expectedContent('clientfinishedplain'))), toHex(cap('clientfinished')));
});

test('illustrated TLS 1.2: records out of order or in the wrong direction fail with bad_record_mac', () => {
  const { keys } = schedule();
  const isBadMac = (e: unknown) => e instanceof TlsError && e.alertName === 'bad_record_mac';
  // clientdata is seq 1: opening it first (seq 0) fails.
  assert.throws(() => new RecordOpener12(provider, suite, keys.client).open(asRecord(cap('clientdata'))), isBadMac);
  // A client record with the server's keys.
  assert.throws(() => new RecordOpener12(provider, suite, keys.server).open(asRecord(cap('clientfinished'))), isBadMac);
  // Right keys, one flipped ciphertext bit.
  const b = cap('clientfinished');
  b[30]! ^= 0x01;
  assert.throws(() => new RecordOpener12(provider, suite, keys.client).open(asRecord(b)), isBadMac);
});
