// Reproduces every value of the Illustrated TLS 1.3 handshakes (both captures) from the
// ephemeral keys and the handshake messages: x25519, transcript hashes, every secret, key, IV,
// Finished key and verify_data, the exporter and resumption master secrets, and the key log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { toHex, utf8, concat } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { Transcript } from '../../src/schedule/transcript.js';
import { EarlySecret, finishedKey, finishedVerifyData, trafficKeys, verifyFinished } from '../../src/schedule/tls13.js';
import { RecordOpener13 } from '../../src/record/protection13.js';
import { archive, current, ephemeralKeys, serverCertPem, splitHandshake, type Capture } from './illustrated.js';

interface Messages {
  ch: Uint8Array; sh: Uint8Array; ee: Uint8Array; cert: Uint8Array; cv: Uint8Array; sf: Uint8Array; cf: Uint8Array;
}

function messages(c: Capture, archived: boolean): Messages {
  const inner = (name: string) => {
    const b = c.file(name);
    assert.equal(b[b.length - 1], 22, `${name} ends with the handshake content type`);
    return b.subarray(0, b.length - 1);
  };
  const ch = c.file('clienthello').subarray(5);
  const sh = c.file('serverhello').subarray(5);
  if (archived) {
    const [ee, cert, cv, sf, ...rest] = splitHandshake(inner('serverhandshake'));
    assert.equal(rest.length, 0);
    return { ch, sh, ee: ee!, cert: cert!, cv: cv!, sf: sf!, cf: inner('clientfinishedplain') };
  }
  return {
    ch, sh, ee: inner('serverextensions'), cert: inner('servercert'), cv: inner('servercertverify'),
    sf: inner('serverfinished'), cf: inner('clientfinished'),
  };
}

function reproduce(c: Capture, archived: boolean): { checked: number; keylog: number } {
  const { suite, derived } = c;
  const hash = suite.hash;
  const checked = new Set<string>();
  const check = (name: string, actual: Uint8Array | string) => {
    const expected = derived.get(name);
    assert.ok(expected !== undefined, `${c.label}: derived-values has no '${name}'`);
    assert.equal(typeof actual === 'string' ? actual : toHex(actual), expected, `${c.label}: ${name}`);
    checked.add(name);
  };
  const m = messages(c, archived);

  // x25519 from the private scalars, both directions.
  const keys = ephemeralKeys();
  const x = provider.keyExchange(0x001d)!;
  const client = x.fromPrivateKey(keys.clientPrivate);
  const server = x.fromPrivateKey(keys.serverPrivate);
  assert.equal(toHex(client.publicKey), toHex(keys.clientPublic));
  assert.equal(toHex(server.publicKey), toHex(keys.serverPublic));
  const shared = client.complete(server.publicKey);
  assert.equal(toHex(server.complete(client.publicKey)), toHex(shared));
  check('x25519_shared_secret', shared);

  // The client's view: the ClientHello is added before the suite (and hash) is known.
  const t = new Transcript(provider);
  t.add(m.ch);
  t.add(m.sh);
  t.selectHash(hash);
  check('hello_hash (CH..SH)', t.hash());

  const early = EarlySecret.start(provider, hash);
  check('early_secret', early.secret);
  const hs = early.intoHandshake(shared);
  check('derived (early)', hs.salt);
  check('handshake_secret', hs.secret);
  const hsTraffic = hs.trafficSecrets(t.hash());
  check('client_handshake_traffic_secret', hsTraffic.client);
  check('server_handshake_traffic_secret', hsTraffic.server);
  const shk = trafficKeys(provider, suite, hsTraffic.server);
  const chk = trafficKeys(provider, suite, hsTraffic.client);
  check('server_handshake_key', shk.key);
  check('server_handshake_iv', shk.iv);
  check('client_handshake_key', chk.key);
  check('client_handshake_iv', chk.iv);

  t.add(m.ee);
  t.add(m.cert);
  const certHash = t.hash();
  check('transcript_hash (CH..Certificate)', certHash);

  // CertificateVerify: scheme, and the RSA-PSS signature over the RFC 8446 §4.4.3 content.
  const scheme = (m.cv[4]! << 8) | m.cv[5]!;
  const sigLen = (m.cv[6]! << 8) | m.cv[7]!;
  assert.equal(8 + sigLen, m.cv.length);
  check('certificate_verify_signature_scheme', scheme.toString(16).padStart(4, '0'));
  const content = concat(new Uint8Array(64).fill(0x20), utf8('TLS 1.3, server CertificateVerify'), new Uint8Array(1), certHash);
  const spki = new Uint8Array(new X509Certificate(serverCertPem()).publicKey.export({ type: 'spki', format: 'der' }));
  const ok = provider.verify(provider.importPublicKey(spki), { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, content, m.cv.subarray(8));
  check('certificate_verify', ok ? 'rsa_pss_rsae_sha256 signature VERIFIED against server.crt' : 'signature did not verify');

  t.add(m.cv);
  const cvHash = t.hash();
  check('transcript_hash (CH..CertificateVerify)', cvHash);
  check('server_finished_key', finishedKey(provider, hash, hsTraffic.server));
  const sfData = finishedVerifyData(provider, hash, hsTraffic.server, cvHash);
  check('server_finished_verify_data', sfData);
  assert.equal(toHex(m.sf.subarray(4)), toHex(sfData), 'server Finished message body');
  assert.ok(verifyFinished(provider, hash, hsTraffic.server, cvHash, m.sf.subarray(4)));

  t.add(m.sf);
  const sfHash = t.hash();
  check('transcript_hash (CH..server Finished)', sfHash);

  const ms = hs.intoMaster();
  check('derived (handshake)', ms.salt);
  check('master_secret', ms.secret);
  const ap = ms.applicationTrafficSecrets(sfHash);
  check('client_application_traffic_secret_0', ap.client);
  check('server_application_traffic_secret_0', ap.server);
  check('exporter_master_secret', ms.exporterMasterSecret(sfHash));
  const sak = trafficKeys(provider, suite, ap.server);
  const cak = trafficKeys(provider, suite, ap.client);
  check('server_application_key', sak.key);
  check('server_application_iv', sak.iv);
  check('client_application_key', cak.key);
  check('client_application_iv', cak.iv);

  check('client_finished_key', finishedKey(provider, hash, hsTraffic.client));
  const cfData = finishedVerifyData(provider, hash, hsTraffic.client, sfHash);
  check('client_finished_verify_data', cfData);
  assert.equal(toHex(m.cf.subarray(4)), toHex(cfData), 'client Finished message body');
  t.add(m.cf);
  const cfHash = t.hash();
  check('transcript_hash (CH..client Finished)', cfHash);
  check('resumption_master_secret', ms.resumptionMasterSecret(cfHash));

  // Application data: open the records with the derived keys.
  const rec = (name: string) => {
    const b = c.file(name);
    return { type: b[0]!, version: (b[1]! << 8) | b[2]!, fragment: b.subarray(5) };
  };
  const clientApp = new RecordOpener13(provider, suite, cak);
  const ping = clientApp.open(rec(archived ? 'clientdata' : 'clientencdata'));
  assert.equal(ping.type, 23);
  check('client_app_data (seq 0)', ping.content);
  const serverApp = new RecordOpener13(provider, suite, sak);
  const serverSeq = archived ? 1 : 2;
  const before = archived ? ['servertickets'] : ['serverencticket1', 'serverencticket2'];
  for (const name of before) assert.equal(serverApp.open(rec(name)).type, 22);
  const pong = serverApp.open(rec(archived ? 'serverdata' : 'serverencdata'));
  check(`server_app_data (seq ${serverSeq})`, pong.content);

  // Every line of derived-values.txt was reproduced.
  assert.deepEqual([...derived.keys()].filter((k) => !checked.has(k)), [], `${c.label}: values not reproduced`);

  // The key log (NSS format) agrees.
  const keylog: Record<string, Uint8Array> = {
    CLIENT_HANDSHAKE_TRAFFIC_SECRET: hsTraffic.client,
    SERVER_HANDSHAKE_TRAFFIC_SECRET: hsTraffic.server,
    CLIENT_TRAFFIC_SECRET_0: ap.client,
    SERVER_TRAFFIC_SECRET_0: ap.server,
  };
  let n = 0;
  for (const [label, secret] of c.keylog) {
    if (label === 'EXPORTER_SECRET') assert.equal(secret, derived.get('exporter_master_secret'));
    else assert.equal(toHex(keylog[label]!), secret, `${c.label}: keylog ${label}`);
    n++;
  }
  return { checked: checked.size, keylog: n };
}

test('Illustrated TLS 1.3 (AES-256-GCM/SHA-384): every derived value reproduced', () => {
  const r = reproduce(current(), false);
  assert.equal(r.checked, 33);
  assert.equal(r.keylog, 5);
});

test('Illustrated TLS 1.3 archive (AES-128-GCM/SHA-256): every derived value reproduced', () => {
  const r = reproduce(archive(), true);
  assert.equal(r.checked, 33);
  assert.equal(r.keylog, 5);
});
