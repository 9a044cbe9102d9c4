// ML-KEM candidates measured through the provider's Kem interface (src/crypto/provider.ts), in the
// process that runs this (the PQ section of main.ts asks each runtime's peer): @noble/post-quantum
// (pure JS, every runtime), node:crypto (OpenSSL 3.5, Node ≥ 24.7) and — only when it happens to
// be installed, it is not a dependency — liboqs compiled to WebAssembly (@oqs/liboqs-js, the Open
// Quantum Safe project's binding), wrapped here in the same interface. X25519 (keygen + agreement on
// each side) is the yardstick.
import { createNodeCryptoProvider } from '../crypto/node/index.js';
import { hasNativeKem } from '../crypto/node/kem.js';
import { checkCiphertext, checkEncapsulationKey } from '../crypto/kem-checks.js';
import { KEM_SIZES, type Kem, type KemKeyPair, type KemName, type KeyExchangeAlgorithm } from '../crypto/provider.js';
import { NamedGroup } from '../wire/enums.js';

export type KemCandidate = 'noble' | 'node' | 'liboqs-wasm';

export interface KemTiming {
  readonly candidate: KemCandidate;
  readonly kem: KemName;
  /** µs per operation (median of the rounds). */
  readonly keygenUs: number;
  readonly encapsulateUs: number;
  readonly decapsulateUs: number;
  /** What a TLS handshake spends on the KEM: client keygen + decapsulate, server encapsulate. */
  readonly clientUs: number;
  readonly serverUs: number;
  /**
   * The whole X25519MLKEM768 group through the provider (ml-kem-768 only; not for liboqs, which no
   * provider uses): client generate + complete, server respond — ML-KEM, X25519 and the checks.
   */
  readonly hybrid?: { readonly clientUs: number; readonly serverUs: number };
}

export interface KemReport {
  readonly node: string;
  readonly openssl: string;
  /** What hush's default provider uses in this process. */
  readonly defaultCandidate: KemCandidate;
  readonly timings: readonly KemTiming[];
  /** X25519 per side: key generation + agreement (client: generate, then agree; server: respond). */
  readonly x25519: { readonly clientUs: number; readonly serverUs: number };
  /** Candidates not measured here, and why. */
  readonly unavailable: readonly { readonly candidate: KemCandidate; readonly why: string }[];
}

/** µs per call of fn: `rounds` rounds of about ms/rounds each after a warm-up; the median round. */
function perCall(ms: number, fn: () => void): number {
  const rounds = 5;
  const warm = performance.now() + Math.min(150, ms / 4);
  while (performance.now() < warm) fn();
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + ms / rounds;
    let now = t0;
    while (now < end && n < 1_000_000) {
      fn();
      n++;
      now = performance.now();
    }
    per.push(((now - t0) * 1000) / n);
  }
  per.sort((a, b) => a - b);
  return per[rounds >> 1]!;
}

// ---- liboqs (WebAssembly), when installed ---------------------------------------------------

interface OqsKem {
  generateKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/** @oqs/liboqs-js behind hush's Kem interface (same checks as the provider's); undefined + why when absent. */
async function liboqsKem(kem: KemName): Promise<Kem | string> {
  const pkg = '@oqs/liboqs-js';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pkg)) as Record<string, unknown>;
  } catch {
    return `${pkg} is not installed (not a dependency; \`npm install --no-save ${pkg}\` to measure it)`;
  }
  const create = mod[kem === 'ml-kem-768' ? 'createMLKEM768' : 'createMLKEM1024'] as (() => Promise<OqsKem>) | undefined;
  if (typeof create !== 'function') return `${pkg} has no ${kem}`;
  const oqs = await create();
  const secret = new WeakMap<KemKeyPair, Uint8Array>();
  const pair = (k: { publicKey: Uint8Array; secretKey: Uint8Array }): KemKeyPair => {
    const p: KemKeyPair = { kem, encapsulationKey: k.publicKey };
    secret.set(p, k.secretKey);
    return p;
  };
  const unsupported = (): never => {
    throw new Error(`${pkg}: no derandomized ML-KEM in its API`);
  };
  return {
    name: kem,
    sizes: KEM_SIZES[kem],
    keygen: () => pair(oqs.generateKeyPair()),
    keygenFromSeed: unsupported,
    encapsulate(ek) {
      checkEncapsulationKey(kem, ek);
      return oqs.encapsulate(ek);
    },
    encapsulateWithMessage: unsupported,
    decapsulate(p, ct) {
      checkCiphertext(kem, ct);
      return oqs.decapsulate(ct, secret.get(p)!);
    },
  };
}

// ---- the measurement ------------------------------------------------------------------------

function timeKem(candidate: KemCandidate, k: Kem, ms: number): KemTiming {
  const pair = k.keygen();
  const { ciphertext, sharedSecret } = k.encapsulate(pair.encapsulationKey);
  const back = k.decapsulate(pair, ciphertext);
  if (back.length !== sharedSecret.length || back.some((b, i) => b !== sharedSecret[i])) throw new Error(`${candidate} ${k.name}: decapsulation disagrees`);
  const keygenUs = perCall(ms, () => k.keygen());
  const encapsulateUs = perCall(ms, () => k.encapsulate(pair.encapsulationKey));
  const decapsulateUs = perCall(ms, () => k.decapsulate(pair, ciphertext));
  return { candidate, kem: k.name, keygenUs, encapsulateUs, decapsulateUs, clientUs: keygenUs + decapsulateUs, serverUs: encapsulateUs };
}

/** A key exchange's cost per side: client generate + complete, server respond (µs). */
function sides(kx: KeyExchangeAlgorithm, ms: number): { clientUs: number; serverUs: number } {
  const clientShare = kx.generate().publicKey;
  const serverShare = kx.respond(clientShare).publicKey;
  return { clientUs: perCall(ms, () => kx.generate().complete(serverShare)), serverUs: perCall(ms, () => kx.respond(clientShare)) };
}

/** Measure every candidate this process has, `ms` per operation. */
export async function measureKems(ms = 600, kems: readonly KemName[] = ['ml-kem-768']): Promise<KemReport> {
  const timings: KemTiming[] = [];
  const unavailable: { candidate: KemCandidate; why: string }[] = [];
  for (const name of kems) {
    for (const backend of ['noble', 'node'] as const) {
      if (backend === 'node' && !hasNativeKem(name)) continue;
      const provider = createNodeCryptoProvider({ kemBackend: backend });
      const k = provider.kem?.(name);
      if (!k) continue;
      const t = timeKem(backend, k, ms);
      const hybrid = name === 'ml-kem-768' ? provider.keyExchange(NamedGroup.X25519MLKEM768) : undefined;
      timings.push(hybrid ? { ...t, hybrid: sides(hybrid, ms) } : t);
    }
    if (!hasNativeKem(name) && !unavailable.some((u) => u.candidate === 'node')) {
      unavailable.push({ candidate: 'node', why: `node:crypto of Node ${process.version} has no ML-KEM (Node ≥ 24.7)` });
    }
    const oqs = await liboqsKem(name);
    if (typeof oqs === 'string') {
      if (!unavailable.some((u) => u.candidate === 'liboqs-wasm')) unavailable.push({ candidate: 'liboqs-wasm', why: oqs });
    } else {
      timings.push(timeKem('liboqs-wasm', oqs, ms));
    }
  }
  const x25519 = sides(createNodeCryptoProvider().keyExchange(NamedGroup.x25519)!, ms);
  return {
    node: process.version,
    openssl: process.versions.openssl ?? '?',
    defaultCandidate: hasNativeKem('ml-kem-768') ? 'node' : 'noble',
    timings,
    x25519,
    unavailable,
  };
}
