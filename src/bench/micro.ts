// Micro-benchmarks of hush's hot paths, no sockets. Profiler-friendly: one workload per run,
// a fixed duration, nothing else in the process.
//
//   node --import tsx src/bench/micro.ts [workload ...] [--ms 1000]
//   node --import tsx --cpu-prof --cpu-prof-dir .build/prof src/bench/micro.ts handshake
//   npm run bench:micro -- seal open
//
// Workloads: seal, open (TLS 1.3 records per suite, 16 KiB and 64 B), schedule (a full TLS 1.3
// key schedule), pipe (the connection's bulk send and receive paths), handshake, handshake-rsa, resume (in-memory ClientConnection ↔ ServerConnection,
// x25519, chain and name verified), handshake-pq (the same offering x25519, X25519MLKEM768 and hush's
// defaults, interleaved, CPU per handshake), aead (the provider's AEAD alone), x25519.
import { ClientConnection } from '../connection/client.js';
import { ServerConnection } from '../connection/server.js';
import type { TlsConnection } from '../connection/api.js';
import type { CertifiedKey } from '../handshake/config.js';
import type { SessionTicket } from '../handshake/events.js';
import { nodeCryptoProvider as provider } from '../crypto/node/index.js';
import { TLS13_SUITES } from '../crypto/suites.js';
import { decodePem } from '../asn1/pem.js';
import { RecordDeframer } from '../record/deframer.js';
import { RecordOpener13, RecordSealer13 } from '../record/protection13.js';
import { EarlySecret, trafficKeys } from '../schedule/tls13.js';
import { TrustStore } from '../x509/trust-store.js';
import { NamedGroup } from '../wire/enums.js';
import { makeBenchPki, type BenchPki, type CertKind } from './pki.js';

interface Result {
  readonly name: string;
  readonly ops: number;
  readonly ms: number;
  /** Bytes per op, for a MB/s figure. */
  readonly bytes?: number;
}

/** Run `fn` for about `ms` milliseconds after a short warm-up; ops/s. */
function time(name: string, ms: number, fn: () => void, bytes?: number): Result {
  const warm = performance.now() + Math.min(200, ms / 4);
  while (performance.now() < warm) fn();
  let ops = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  let now = t0;
  while (now < end) {
    for (let i = 0; i < 8; i++) fn();
    ops += 8;
    now = performance.now();
  }
  return { name, ops, ms: now - t0, ...(bytes !== undefined ? { bytes } : {}) };
}

function print(r: Result): void {
  const perOp = (r.ms * 1000) / r.ops;
  const rate = (r.ops / r.ms) * 1000;
  const mb = r.bytes !== undefined ? `  ${((rate * r.bytes) / 1e6).toFixed(0).padStart(6)} MB/s` : '';
  console.log(`${r.name.padEnd(44)} ${rate.toFixed(0).padStart(9)} op/s  ${perOp.toFixed(2).padStart(9)} µs/op${mb}`);
}

const RECORD_SIZES = [16384, 64];

function seal(ms: number): void {
  for (const suite of TLS13_SUITES) {
    const keys = { key: new Uint8Array(suite.keyLength).fill(1), iv: new Uint8Array(12).fill(2) };
    for (const size of RECORD_SIZES) {
      const sealer = new RecordSealer13(provider, suite, keys);
      const data = new Uint8Array(size).fill(0x61);
      const out = new Uint8Array(sealer.sealedLength(23, size));
      print(time(`seal ${suite.name} ${size} B`, ms, () => sealer.sealInto(23, data, out, 0), size));
      print(time(`seal (new buffer) ${suite.name} ${size} B`, ms, () => sealer.seal(23, data), size));
    }
  }
}

function open(ms: number): void {
  for (const suite of TLS13_SUITES) {
    const keys = { key: new Uint8Array(suite.keyLength).fill(1), iv: new Uint8Array(12).fill(2) };
    for (const size of RECORD_SIZES) {
      // Enough records sealed in advance to run without re-sealing.
      const sealer = new RecordSealer13(provider, suite, keys);
      const n = size === 16384 ? 512 : 65536;
      const records: Uint8Array[] = [];
      for (let i = 0; i < n; i++) records.push(sealer.seal(23, new Uint8Array(size).fill(0x61)).subarray(5));
      let opener = new RecordOpener13(provider, suite, keys);
      let i = 0;
      print(time(`open ${suite.name} ${size} B`, ms, () => {
        if (i === n) {
          i = 0;
          opener = new RecordOpener13(provider, suite, keys);
        }
        opener.open({ type: 23, version: 0x0303, fragment: records[i++]! });
      }, size));
    }
    // Deframe + open from 64 KiB socket-sized chunks.
    const sealer = new RecordSealer13(provider, suite, keys);
    const stream = sealer.seal(23, new Uint8Array(64 * 16384).fill(0x61));
    print(time(`deframe+open ${suite.name} 1 MiB in 64 KiB chunks`, ms, () => {
      const d = new RecordDeframer();
      const o = new RecordOpener13(provider, suite, keys);
      for (let p = 0; p < stream.length; p += 65536) {
        d.push(stream.subarray(p, p + 65536));
        for (let r = d.next(); r; r = d.next()) o.open(r);
      }
    }, 64 * 16384));
  }
}

function aead(ms: number): void {
  for (const suite of TLS13_SUITES) {
    const a = provider.aead(suite.aead, new Uint8Array(suite.keyLength).fill(1));
    const nonce = new Uint8Array(12);
    const aad = new Uint8Array(5);
    for (const size of RECORD_SIZES) {
      const pt = new Uint8Array(size + 1);
      print(time(`aead.seal ${suite.aead} ${size + 1} B`, ms, () => a.seal(nonce, aad, pt), size));
      const ct = a.seal(nonce, aad, pt);
      print(time(`aead.open ${suite.aead} ${size + 1} B`, ms, () => a.open(nonce, aad, ct), size));
    }
  }
}

/**
 * The core's bulk paths, established connection to established connection, no sockets: the
 * sender's write(16 KiB) × 64 + takeOutput, then the receiver's receive(64 KiB chunks) +
 * takeEvents, CPU-timed separately (1 MiB per op, 64 MiB per round, best of 3 rounds), and the
 * bare AEAD (seal/open of 16 KiB + 1) for the floor. AES-128-GCM and ChaCha20-Poly1305.
 */
function pipe(): void {
  const pki = makeBenchPki();
  const trust = new TrustStore([pki.caPem]);
  const cert = certified(pki, 'ecdsa');
  const cpu = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const ROUND = 64;
  for (const suite of [0x1301, 0x1303]) {
    const client = new ClientConnection({ provider, now: Date.now, serverName: 'localhost', trust, groups: [NamedGroup.x25519], cipherSuites: [suite] });
    const server = new ServerConnection(serverConfigFor(cert));
    pump(client, server);
    client.takeEvents();
    server.takeEvents();
    const info = client.handshakeInfo!;
    const data = new Uint8Array(16384).fill(0x61);
    let best = { send: Infinity, receive: Infinity, seal: Infinity, open: Infinity };
    for (let round = 0; round < 4; round++) {
      const batches: Uint8Array[][] = [];
      let t = cpu();
      for (let b = 0; b < ROUND; b++) {
        for (let i = 0; i < 64; i++) client.write(data);
        batches.push(client.takeOutput());
      }
      const send = cpu() - t;
      // Re-chunk into 64 KiB reads (untimed).
      const reads: Uint8Array[] = [];
      for (const out of batches) {
        const total = out.reduce((x, y) => x + y.length, 0);
        const whole = new Uint8Array(total);
        let o = 0;
        for (const w of out) {
          whole.set(w, o);
          o += w.length;
        }
        for (let p = 0; p < total; p += 65536) reads.push(whole.subarray(p, p + 65536));
      }
      t = cpu();
      let got = 0;
      for (const r of reads) {
        const err = server.receive(r);
        if (err) throw err;
        for (const e of server.takeEvents()) if (e.type === 'data') got += e.data.length;
      }
      const receive = cpu() - t;
      if (got !== ROUND * 64 * 16384) throw new Error(`pipe: received ${got}`);
      const a = provider.aead(info.cipherSuite === 0x1303 ? 'chacha20-poly1305' : 'aes-128-gcm', new Uint8Array(info.cipherSuite === 0x1303 ? 32 : 16).fill(1));
      const nonce = new Uint8Array(12);
      const aad = new Uint8Array(5);
      const pt = new Uint8Array(16385);
      t = cpu();
      let ct: Uint8Array = pt;
      for (let i = 0; i < ROUND * 64; i++) ct = a.seal(nonce, aad, pt);
      const seal = cpu() - t;
      t = cpu();
      for (let i = 0; i < ROUND * 64; i++) a.open(nonce, aad, ct);
      const open = cpu() - t;
      if (round > 0) {
        best = { send: Math.min(best.send, send), receive: Math.min(best.receive, receive), seal: Math.min(best.seal, seal), open: Math.min(best.open, open) };
      }
    }
    const perGB = (us: number): string => `${(us / 1e6 / ((ROUND * 64 * 16384) / 1e9)).toFixed(3)} s/GB (${(us / (ROUND * 64)).toFixed(2)} µs/record)`;
    console.log(`pipe ${info.cipherName}: send ${perGB(best.send)}, receive ${perGB(best.receive)}; bare aead.seal ${perGB(best.seal)}, aead.open ${perGB(best.open)}`);
  }
}

function schedule(ms: number): void {
  for (const suite of TLS13_SUITES) {
    const shared = new Uint8Array(32).fill(7);
    const h = new Uint8Array(suite.hashLength).fill(9);
    print(time(`key schedule ${suite.name}`, ms, () => {
      const hs = EarlySecret.start(provider, suite.hash).intoHandshake(shared);
      const t = hs.trafficSecrets(h);
      trafficKeys(provider, suite, t.client);
      trafficKeys(provider, suite, t.server);
      const m = hs.intoMaster();
      const a = m.applicationTrafficSecrets(h);
      trafficKeys(provider, suite, a.client);
      trafficKeys(provider, suite, a.server);
      m.exporterMasterSecret(h);
      m.resumptionMasterSecret(h);
    }));
  }
}

function x25519(ms: number): void {
  const kx = provider.keyExchange(NamedGroup.x25519)!;
  const peer = kx.generate().publicKey;
  print(time('x25519 generate', ms, () => kx.generate()));
  print(time('x25519 generate+complete', ms, () => kx.generate().complete(peer)));
}

/** Move output between the two until both are quiet. */
function pump(a: TlsConnection, b: TlsConnection): void {
  for (let i = 0; i < 50; i++) {
    const outA = a.takeOutput();
    const outB = b.takeOutput();
    if (outA.length === 0 && outB.length === 0) return;
    for (const c of outA) b.receive(c);
    for (const c of outB) a.receive(c);
  }
  throw new Error('pump: no end');
}

function certified(pki: BenchPki, kind: CertKind): CertifiedKey {
  const leaf = pki.leaves[kind];
  return { chain: decodePem(leaf.certPem).map((b) => b.der), key: provider.importPrivateKey(leaf.keyPem) };
}

/** `groups`: the client's offer, 'defaults' for hush's own (the server then has its defaults too). */
function handshakeOnce(pki: BenchPki, trust: TrustStore, cert: CertifiedKey, session?: SessionTicket, groups: readonly number[] | 'defaults' = X25519_ONLY): { ticket?: SessionTicket } {
  const client = new ClientConnection({
    provider, now: Date.now, serverName: 'localhost', trust, ...(groups !== 'defaults' ? { groups } : {}),
    ...(session ? { session } : {}),
  });
  const server = new ServerConnection(groups === X25519_ONLY ? serverConfigFor(cert) : serverConfigPq(cert));
  pump(client, server);
  if (client.state !== 'established' || server.state !== 'established') {
    throw new Error(`handshake failed: ${client.error?.message ?? server.error?.message}`);
  }
  if (groups !== X25519_ONLY && client.handshakeInfo?.group !== NamedGroup.X25519MLKEM768) throw new Error(`negotiated ${client.handshakeInfo?.groupName}, not X25519MLKEM768`);
  let ticket: SessionTicket | undefined;
  for (const e of client.takeEvents()) if (e.type === 'session') ticket = e.ticket;
  server.takeEvents();
  return ticket ? { ticket } : {};
}

const X25519_ONLY: readonly number[] = [NamedGroup.x25519];
const serverConfigs = new Map<CertifiedKey, ConstructorParameters<typeof ServerConnection>[0]>();
const serverConfigsPq = new Map<CertifiedKey, ConstructorParameters<typeof ServerConnection>[0]>();
/** The server with hush's default groups (X25519MLKEM768 first): the client's offer decides. */
function serverConfigPq(cert: CertifiedKey): ConstructorParameters<typeof ServerConnection>[0] {
  let c = serverConfigsPq.get(cert);
  if (!c) {
    c = { provider, now: Date.now, certificates: [cert], ticketKeys: [ticketKey] };
    serverConfigsPq.set(cert, c);
  }
  return c;
}
const ticketKey = new Uint8Array(32).fill(3);
function serverConfigFor(cert: CertifiedKey): ConstructorParameters<typeof ServerConnection>[0] {
  // One config object per certificate, as a server reuses it across connections.
  let c = serverConfigs.get(cert);
  if (!c) {
    c = { provider, now: Date.now, certificates: [cert], groups: [NamedGroup.x25519], ticketKeys: [ticketKey] };
    serverConfigs.set(cert, c);
  }
  return c;
}

function handshake(ms: number, kind: CertKind): void {
  const pki = makeBenchPki();
  const trust = new TrustStore([pki.caPem]);
  const cert = certified(pki, kind);
  print(time(`in-memory full handshake (${kind}, client+server)`, ms, () => handshakeOnce(pki, trust, cert)));
}

function resume(ms: number): void {
  const pki = makeBenchPki();
  const trust = new TrustStore([pki.caPem]);
  const cert = certified(pki, 'ecdsa');
  let ticket = handshakeOnce(pki, trust, cert).ticket;
  if (!ticket) throw new Error('no ticket');
  print(time('in-memory resumed handshake (psk_dhe_ke)', ms, () => {
    const r = handshakeOnce(pki, trust, cert, ticket);
    if (r.ticket) ticket = r.ticket;
  }));
}

/**
 * In-memory full handshakes (ECDSA, client+server in this process) offering x25519 only,
 * X25519MLKEM768 only, and hush's defaults (X25519MLKEM768 + x25519 shares on one X25519 key),
 * interleaved in 10 rounds; CPU µs per handshake (process.cpuUsage, robust to a busy machine) and
 * the median of the per-round ratios to x25519. The ML-KEM is whatever this Node's provider uses.
 */
function handshakePq(ms: number): void {
  const pki = makeBenchPki();
  const trust = new TrustStore([pki.caPem]);
  const cert = certified(pki, 'ecdsa');
  const offers: [string, readonly number[] | 'defaults'][] = [
    ['x25519', X25519_ONLY],
    ['X25519MLKEM768', [NamedGroup.X25519MLKEM768]],
    ['defaults', 'defaults'],
  ];
  for (const [, g] of offers) for (let i = 0; i < 20; i++) handshakeOnce(pki, trust, cert, undefined, g); // warm-up
  const rounds = 10;
  const per = new Map<string, number[]>(offers.map(([n]) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, g] of r % 2 ? [...offers].reverse() : offers) {
      let n = 0;
      const c0 = process.cpuUsage();
      const end = performance.now() + ms / rounds / offers.length;
      while (performance.now() < end || n === 0) {
        handshakeOnce(pki, trust, cert, undefined, g);
        n++;
      }
      const c = process.cpuUsage(c0);
      per.get(name)!.push((c.user + c.system) / n);
    }
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const base = per.get('x25519')!;
  for (const [name] of offers) {
    const xs = per.get(name)!;
    const ratio = med(xs.map((x, i) => x / base[i]!));
    console.log(`${`in-memory full handshake, ${name}`.padEnd(44)} ${med(xs).toFixed(0).padStart(9)} µs CPU  ×${ratio.toFixed(2)} vs x25519`);
  }
}

const WORKLOADS: Record<string, (ms: number) => void> = {
  seal,
  open,
  aead,
  schedule,
  x25519,
  pipe: () => pipe(),
  handshake: (ms) => handshake(ms, 'ecdsa'),
  'handshake-rsa': (ms) => handshake(ms, 'rsa'),
  'handshake-pq': handshakePq,
  resume,
};

function main(): void {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--ms');
  const ms = i >= 0 ? Number(argv[i + 1]) : 1000;
  const names = argv.filter((a, j) => !a.startsWith('--') && !(i >= 0 && j === i + 1));
  const chosen = names.length ? names : Object.keys(WORKLOADS);
  for (const n of chosen) {
    const w = WORKLOADS[n];
    if (!w) {
      console.error(`unknown workload '${n}'; one of: ${Object.keys(WORKLOADS).join(', ')}`);
      process.exit(2);
    }
  }
  console.log(`hush micro-benchmarks: node ${process.version}, ${ms} ms each`);
  for (const n of chosen) WORKLOADS[n]!(ms);
}

main();
