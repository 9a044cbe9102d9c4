// ML-DSA cross-checked between implementations, since no ML-DSA test vectors are at hand (none in
// the shared vectors, no Wycheproof/ACVP package on the npm registry): hush on this Node (node:crypto
// when it has ML-DSA, else @noble/post-quantum) against Node 24's node:crypto (OpenSSL 3.5) in a
// child process, both ways — signatures, every PKCS#8 form, the SPKI — plus hush's own provider
// running on Node 24 (its node:crypto backend). Negative cases: flipped bit, a signature with a
// context, truncated, wrong key. Skipped (with the reason) when Node 24 is not installed, except in
// CI, where .ci/run installs it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { der } from '../../src/asn1/index.js';
import { fromBase64, toBase64, utf8 } from '../../src/bytes/index.js';
import { encodeMlDsaSpki, ML_DSA } from '../../src/crypto/ml-dsa.js';
import { nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import { mlDsaBackend } from '../../src/crypto/node/ml-dsa.js';
import type { MlDsaKeyType, SignatureAlgorithm } from '../../src/crypto/provider.js';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);
const NODE24 = path.join(REPO, 'tools', 'node24', 'node_modules', '.bin', 'node');
const TYPES: readonly MlDsaKeyType[] = ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'];
const NOBLE = { 'ml-dsa-44': ml_dsa44, 'ml-dsa-65': ml_dsa65, 'ml-dsa-87': ml_dsa87 } as const;
const alg = (parameterSet: MlDsaKeyType): SignatureAlgorithm => ({ kind: 'ml-dsa', parameterSet });
const MSG = utf8('hush ML-DSA cross-check');

function skipReason(): string | false {
  if (process.env.HUSH_SKIP_INTEROP === '1') return 'HUSH_SKIP_INTEROP=1';
  if (!existsSync(NODE24) && process.env.CI !== 'true') {
    return `Node 24 is not installed (${path.relative(REPO, NODE24)}; run \`npm ci --prefix tools/node24\`, as .ci/run does)`;
  }
  return false;
}

function runNode24(args: readonly string[], input: unknown): unknown {
  if (!existsSync(NODE24)) throw new Error(`Node 24 is missing: ${NODE24} (.ci/run installs it with npm ci --prefix tools/node24)`);
  let out: string;
  try {
    out = execFileSync(NODE24, args, { cwd: REPO, input: JSON.stringify(input), encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`Node 24 child failed: ${(err.stderr ?? err.message).slice(-2000)}`);
  }
  return JSON.parse(out);
}

/** Runs on Node 24 with only node:crypto: checks hush's keys and signatures, makes its own. */
const NODE_SIDE = String.raw`
const c = require('node:crypto');
const inp = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const b = (s) => Buffer.from(s, 'base64');
const msg = b(inp.msg);
const out = { version: process.version, openssl: process.versions.openssl, keys: {} };
for (const [type, k] of Object.entries(inp.keys)) {
  const pub = c.createPublicKey({ key: b(k.spki), format: 'der', type: 'spki' });
  const flipped = b(k.sig); flipped[10] ^= 1;
  const r = {
    keyType: pub.asymmetricKeyType,
    verifies: c.verify(null, msg, pub, b(k.sig)),
    flippedVerifies: c.verify(null, msg, pub, flipped),
    truncatedVerifies: (() => { try { return c.verify(null, msg, pub, b(k.sig).subarray(1)); } catch { return false; } })(),
    withContextVerifies: c.verify(null, msg, { key: pub, context: Buffer.from('hush') }, b(k.sig)),
    forms: {},
  };
  for (const [form, pkcs8] of Object.entries(k.pkcs8)) {
    const priv = c.createPrivateKey({ key: b(pkcs8), format: 'der', type: 'pkcs8' });
    r.forms[form] = {
      spki: c.createPublicKey(priv).export({ type: 'spki', format: 'der' }).toString('base64'),
      sig: c.sign(null, msg, priv).toString('base64'),
    };
  }
  const own = c.generateKeyPairSync(type);
  r.own = {
    pkcs8: own.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    spki: own.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    sig: c.sign(null, msg, own.privateKey).toString('base64'),
    ctxSig: c.sign(null, msg, { key: own.privateKey, context: Buffer.from('hush') }).toString('base64'),
  };
  out.keys[type] = r;
}
process.stdout.write(JSON.stringify(out));
`;

test('noble (hush on this Node) ⇄ Node 24 node:crypto: signatures verify both ways, every PKCS#8 form imports the same key', { skip: skipReason() }, () => {
  const keys: Record<string, unknown> = {};
  const mine = new Map<MlDsaKeyType, { spki: Uint8Array }>();
  for (const type of TYPES) {
    const seed = P.randomBytes(32);
    const kp = NOBLE[type].keygen(seed);
    const key = P.importPrivateKey(P.exportPrivateKey(P.generatePrivateKey({ type })));
    const sig = P.sign(key, alg(type), MSG);
    const p = ML_DSA[type];
    const pkcs8 = (inner: Uint8Array): string => toBase64(der.sequence(der.integer(0), der.sequence(der.oid(p.oid)), der.octetString(inner)));
    keys[type] = {
      spki: toBase64(key.publicKey.spki),
      sig: toBase64(sig),
      pkcs8: {
        hush: toBase64(P.exportPrivateKey(key)),
        seed: pkcs8(der.contextPrimitive(0, seed)),
        expandedKey: pkcs8(der.octetString(kp.secretKey)),
        both: pkcs8(der.sequence(der.octetString(seed), der.octetString(kp.secretKey))),
      },
      expectSpkiFromSeed: toBase64(encodeMlDsaSpki(type, kp.publicKey)),
    };
    mine.set(type, { spki: key.publicKey.spki });
  }
  const res = runNode24(['-e', NODE_SIDE], { msg: toBase64(MSG), keys }) as { version: string; openssl: string; keys: Record<string, any> };
  for (const type of TYPES) {
    const r = res.keys[type];
    const k = keys[type] as { expectSpkiFromSeed: string; spki: string };
    assert.equal(r.keyType, type);
    assert.equal(r.verifies, true, `${type}: Node 24 verifies hush's (${mlDsaBackend()}) signature`);
    assert.equal(r.flippedVerifies, false, `${type}: flipped bit`);
    assert.equal(r.truncatedVerifies, false, `${type}: truncated`);
    assert.equal(r.withContextVerifies, false, `${type}: verified under another context`);
    assert.equal(r.forms.hush.spki, k.spki, `${type}: hush's PKCS#8 (seed form) is the same key to Node 24`);
    for (const form of ['seed', 'expandedKey', 'both']) {
      assert.equal(r.forms[form].spki, k.expectSpkiFromSeed, `${type}: ${form} form`);
      const pub = P.importPublicKey(fromBase64(r.forms[form].spki));
      assert.equal(P.verify(pub, alg(type), MSG, fromBase64(r.forms[form].sig)), true, `${type}: Node 24's signature with the ${form} form verifies in hush`);
    }
    // Node 24's own key and signatures, checked by hush.
    const ownPub = P.importPublicKey(fromBase64(r.own.spki));
    assert.equal(P.verify(ownPub, alg(type), MSG, fromBase64(r.own.sig)), true, `${type}: hush verifies Node 24's signature`);
    assert.equal(P.verify(ownPub, alg(type), MSG, fromBase64(r.own.ctxSig)), false, `${type}: a signature with a context is not pure ML-DSA with an empty one`);
    const flipped = fromBase64(r.own.sig);
    flipped[10]! ^= 1;
    assert.equal(P.verify(ownPub, alg(type), MSG, flipped), false, `${type}: flipped bit`);
    assert.equal(P.verify(P.importPublicKey(mine.get(type)!.spki), alg(type), MSG, fromBase64(r.own.sig)), false, `${type}: wrong key`);
    const imported = P.importPrivateKey(fromBase64(r.own.pkcs8));
    assert.deepEqual(imported.publicKey.spki, fromBase64(r.own.spki), `${type}: Node 24's PKCS#8 reads as the same key`);
    assert.equal(P.exportPrivateKey(imported).length, 54, 'and is written back in the seed form');
  }
});

/** Runs on Node 24 through tsx: hush's own provider, which must pick node:crypto there. */
const HUSH_SIDE = `
import { readFileSync } from 'node:fs';
import { nodeCryptoProvider as P } from './src/crypto/node/index.ts';
import { mlDsaBackend } from './src/crypto/node/ml-dsa.ts';
import { fromBase64, toBase64 } from './src/bytes/index.ts';
const inp = JSON.parse(readFileSync(0, 'utf8'));
const msg = fromBase64(inp.msg);
const out = { backend: mlDsaBackend(), keys: {} };
for (const [type, k] of Object.entries(inp.keys)) {
  const alg = { kind: 'ml-dsa', parameterSet: type };
  const theirs = P.importPublicKey(fromBase64(k.spki));
  const key = P.generatePrivateKey({ type });
  out.keys[type] = {
    verifies: P.verify(theirs, alg, msg, fromBase64(k.sig)),
    spki: toBase64(key.publicKey.spki),
    pkcs8: toBase64(P.exportPrivateKey(key)),
    sig: toBase64(P.sign(key, alg, msg)),
    forms: Object.fromEntries(Object.entries(k.forms).map(([form, der]) => {
      try {
        return [form, toBase64(P.importPrivateKey(fromBase64(der)).publicKey.spki)];
      } catch (e) {
        return [form, 'error: ' + e.constructor.name + ': ' + e.message];
      }
    })),
  };
}
process.stdout.write(JSON.stringify(out));
`;

test('hush on Node 24 (node:crypto backend) ⇄ hush on this Node', { skip: skipReason() }, () => {
  const keys: Record<string, { spki: string; sig: string; forms: Record<string, string> }> = {};
  const expect: Record<string, string> = {};
  for (const type of TYPES) {
    const key = P.generatePrivateKey({ type });
    const seed = P.randomBytes(32);
    const kp = NOBLE[type].keygen(seed);
    const otherExpanded = NOBLE[type].keygen(P.randomBytes(32)).secretKey;
    const p = ML_DSA[type];
    const pkcs8 = (inner: Uint8Array): string => toBase64(der.sequence(der.integer(0), der.sequence(der.oid(p.oid)), der.octetString(inner)));
    keys[type] = {
      spki: toBase64(key.publicKey.spki),
      sig: toBase64(P.sign(key, alg(type), MSG)),
      forms: {
        seed: pkcs8(der.contextPrimitive(0, seed)),
        expandedKey: pkcs8(der.octetString(kp.secretKey)),
        both: pkcs8(der.sequence(der.octetString(seed), der.octetString(kp.secretKey))),
        inconsistent: pkcs8(der.sequence(der.octetString(seed), der.octetString(otherExpanded))),
      },
    };
    expect[type] = toBase64(encodeMlDsaSpki(type, kp.publicKey));
  }
  const res = runNode24(['--import', 'tsx', '--input-type=module', '-e', HUSH_SIDE], { msg: toBase64(MSG), keys }) as {
    backend: string;
    keys: Record<string, { verifies: boolean; spki: string; pkcs8: string; sig: string; forms: Record<string, string> }>;
  };
  assert.equal(res.backend, 'node:crypto', 'Node 24 has ML-DSA in node:crypto, found by feature detection');
  for (const type of TYPES) {
    const r = res.keys[type]!;
    assert.equal(r.verifies, true, `${type}: hush on Node 24 verifies hush on ${process.version}`);
    const pub = P.importPublicKey(fromBase64(r.spki));
    assert.equal(P.verify(pub, alg(type), MSG, fromBase64(r.sig)), true, `${type}: and the other way`);
    assert.deepEqual(P.importPrivateKey(fromBase64(r.pkcs8)).publicKey.spki, fromBase64(r.spki), `${type}: its key file reads here`);
    assert.equal(fromBase64(r.pkcs8).length, 54, `${type}: seed form`);
    for (const form of ['seed', 'expandedKey', 'both']) assert.equal(r.forms[form], expect[type], `${type}: the ${form} form on Node 24`);
    assert.match(r.forms.inconsistent!, /^error: UsageError: cannot read private key: invalid ML-DSA-\d\d key \(the seed and the expanded key do not match\)$/);
  }
});
