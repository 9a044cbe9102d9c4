// Record-protection targets: what an opener does with arbitrary *decrypted* bytes, which mutations
// on the wire never reach (the AEAD or MAC rejects them first). The input is the plaintext; the
// target encrypts it properly under fixed keys and opens it.
//   record-open13:     TLS 1.3 TLSInnerPlaintext (content || type || zeros, RFC 8446 §5.2/§5.4)
//   record-open12-cbc: TLS 1.2 CBC MAC-then-encrypt plaintext (content || MAC || padding, RFC 5246
//                      §6.2.3.2), the padding and MAC checks a CBC client runs on every record.
import { RecordOpener13 } from '../../src/record/protection13.js';
import { RecordOpener12, RecordSealer12 } from '../../src/record/protection12.js';
import { tls12SuiteById, tls13SuiteById } from '../../src/crypto/suites.js';
import { CipherSuite } from '../../src/wire/enums.js';
import { MAX_PLAINTEXT_LENGTH } from '../../src/record/limits.js';
import { provider, reseed } from './pki.js';
import { Rng } from './prng.js';
import { mutate, join, sameBytes } from './mutator.js';
import { FuzzFailure, isExpectedRejection } from './failure.js';
import type { FuzzTarget } from './target.js';

const keyRng = new Rng(0x7ec0);
const KEY16 = keyRng.bytes(16);
const IV12 = keyRng.bytes(12);
const MAC32 = keyRng.bytes(32);
const CBC_IV = keyRng.bytes(16);

function target(name: string, seeds: () => Uint8Array[], open: (p: Uint8Array) => void): FuzzTarget {
  let list: Uint8Array[] = [];
  return {
    name,
    kind: 'decoder',
    setup() {
      list = seeds();
    },
    generate: (rng) => mutate(rng.pick(list), rng, list).bytes.subarray(0, MAX_PLAINTEXT_LENGTH + 512),
    run(input) {
      try {
        open(input);
        return 'accepted';
      } catch (e) {
        if (isExpectedRejection(e)) return 'rejected';
        throw FuzzFailure.fromException(name, e);
      }
    },
  };
}

export function recordTargets(): FuzzTarget[] {
  const suite13 = tls13SuiteById(CipherSuite.TLS_AES_128_GCM_SHA256)!;
  const suite12 = tls12SuiteById(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256)!;
  const keys12 = { macKey: MAC32, key: KEY16, iv: new Uint8Array(0) };
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  return [
    target(
      'record-open13',
      () => [join(enc('hello'), Uint8Array.of(23)), join(enc('GET / HTTP/1.1\r\n'), Uint8Array.of(23, 0, 0, 0)), Uint8Array.of(1, 0, 21), Uint8Array.of(22, 0, 0, 0, 0, 22)],
      (inner) => {
        // Sequence number 0: the nonce is the IV itself (RFC 8446 §5.3).
        const len = inner.length + 16;
        const aad = Uint8Array.of(23, 3, 3, len >> 8, len & 0xff);
        const fragment = provider.aead(suite13.aead, KEY16).seal(IV12, aad, inner);
        const opener = new RecordOpener13(provider, suite13, { key: KEY16, iv: IV12 });
        const opened = opener.open({ type: 23, version: 0x0303, fragment });
        // The content is the inner plaintext up to its last nonzero byte, which is the type.
        let end = inner.length - 1;
        while (end >= 0 && inner[end] === 0) end--;
        if (opened.type !== inner[end] || !sameBytes(opened.content, inner.subarray(0, end))) {
          throw new FuzzFailure('invariant', `record-open13: opened type ${opened.type} / ${opened.content.length} bytes, inner plaintext says ${inner[end]} / ${end}`);
        }
        if (opened.content.length > MAX_PLAINTEXT_LENGTH) {
          throw new FuzzFailure('invariant', `record-open13: accepted ${opened.content.length} bytes of content (over 2^14, RFC 8446 §5.4)`);
        }
      },
    ),
    target(
      'record-open12-cbc',
      () => {
        // Valid plaintexts (content || MAC || padding) from the sealer, decrypted back.
        reseed(0xcbc);
        const out: Uint8Array[] = [];
        for (const content of [enc('hello'), enc('x'.repeat(47)), new Uint8Array(300).fill(7), Uint8Array.of(1)]) {
          const sealer = new RecordSealer12(provider, suite12, keys12, {});
          const rec = sealer.seal(23, content);
          const iv = rec.subarray(5, 21);
          out.push(provider.blockCipher('aes-128-cbc', KEY16).decrypt(iv, rec.subarray(21)));
        }
        return out;
      },
      (p) => {
        // Whole blocks only: the opener sees the block count in the record length.
        const n = Math.max(16, p.length - (p.length % 16));
        const plain = new Uint8Array(n);
        plain.set(p.subarray(0, n));
        const fragment = join(CBC_IV, provider.blockCipher('aes-128-cbc', KEY16).encrypt(CBC_IV, plain));
        const opener = new RecordOpener12(provider, suite12, keys12, { encryptThenMac: false });
        const opened = opener.open({ type: 23, version: 0x0303, fragment });
        // Accepted: the padding must have been well-formed (every padding byte = its length) and
        // the content is what precedes the MAC.
        const pad = plain[n - 1]!;
        const padOk = pad + 1 + 32 <= n && plain.subarray(n - 1 - pad, n).every((b) => b === pad);
        if (!padOk || opened.content.length !== n - 1 - pad - 32 || !sameBytes(opened.content, plain.subarray(0, opened.content.length))) {
          throw new FuzzFailure('invariant', `record-open12-cbc: accepted ${opened.content.length} bytes of content from ${n} bytes of plaintext with padding byte ${pad} (padding well-formed: ${padOk})`);
        }
      },
    ),
  ];
}
