// ECH keys for the tests: an X25519 HPKE key pair and its ECHConfig / ECHConfigList (RFC 9849 §4).
import { nodeCryptoProvider as P } from '../../../src/crypto/node/index.js';
import { encodeEchConfig, encodeEchConfigList } from '../../../src/handshake/ech/ech-config.js';
import { hpkeGenerateKeyPair } from '../../../src/hpke/index.js';

export interface TestEchKey {
  readonly configId: number;
  readonly publicName: string;
  /** The ECHConfig (what a server keeps next to its private key). */
  readonly config: Uint8Array;
  /** A one-config ECHConfigList (what a client gets from DNS). */
  readonly list: Uint8Array;
  /** The X25519 private key. */
  readonly sk: Uint8Array;
  readonly pk: Uint8Array;
}

export function makeEchKey(
  configId: number,
  publicName: string,
  o: { maximumNameLength?: number; suites?: { kdf: number; aead: number }[] } = {},
): TestEchKey {
  const { sk, pk } = hpkeGenerateKeyPair(P, 0x0020);
  const config = encodeEchConfig({
    configId,
    kem: 0x0020,
    publicKey: pk,
    cipherSuites: o.suites ?? [
      { kdf: 1, aead: 1 },
      { kdf: 1, aead: 3 },
    ],
    maximumNameLength: o.maximumNameLength ?? 0,
    publicName,
    extensions: [],
  });
  return { configId, publicName, config, list: encodeEchConfigList([config]), sk, pk };
}
