// Loads the Illustrated TLS 1.3 vectors (both captures) for the schedule and record tests.
import { fromHex } from '../../src/bytes/index.js';
import { tls13SuiteById, type Tls13Suite } from '../../src/crypto/suites.js';
import { readVector, readVectorText } from '../vectors.js';

const BASE = 'illustrated-tls13/';

export interface Capture {
  readonly label: string;
  readonly suite: Tls13Suite;
  /** Raw file bytes from captures/caps. */
  file(name: string): Uint8Array;
  /** derived-values.txt, every line "name: hex" (non-hex values kept as text). */
  readonly derived: ReadonlyMap<string, string>;
  readonly keylog: ReadonlyMap<string, string>;
}

function parseDerived(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const i = line.indexOf(': ');
    if (i < 0) throw new Error(`derived-values: bad line ${line}`);
    m.set(line.slice(0, i), line.slice(i + 2).trim());
  }
  return m;
}

function parseKeylog(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [label, , secret] = line.trim().split(/\s+/);
    if (label && secret) m.set(label, secret);
  }
  return m;
}

function load(label: string, dir: string, suiteId: number): Capture {
  const suite = tls13SuiteById(suiteId)!;
  return {
    label,
    suite,
    file: (name) => readVector(`${dir}captures/caps/${name}`),
    derived: parseDerived(readVectorText(`${dir}derived-values.txt`)),
    keylog: parseKeylog(readVectorText(`${dir}captures/keylog.txt`)),
  };
}

export const current = (): Capture => load('current (AES-256-GCM)', BASE, 0x1302);
export const archive = (): Capture => load('archive (AES-128-GCM)', `${BASE}archive-aes128gcm/`, 0x1301);

/** The ephemeral x25519 private scalars and public keys (keys/*.key: PKCS#8/SPKI, key = last 32 bytes). */
export function ephemeralKeys(): { clientPrivate: Uint8Array; serverPrivate: Uint8Array; clientPublic: Uint8Array; serverPublic: Uint8Array } {
  const der = (name: string) => {
    const pem = readVectorText(`${BASE}keys/${name}`);
    const b = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    return new Uint8Array(b.subarray(b.length - 32));
  };
  const seq = (start: number) => Uint8Array.from({ length: 32 }, (_, i) => start + i);
  return {
    clientPrivate: seq(0x20),
    serverPrivate: seq(0x90),
    clientPublic: der('client-ephemeral-public.key'),
    serverPublic: der('server-ephemeral-public.key'),
  };
}

export const serverCertPem = (): string => readVectorText(`${BASE}keys/server.crt`);

/** Split concatenated handshake messages by their 4-byte headers. */
export function splitHandshake(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < data.length) {
    const len = (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!;
    out.push(data.subarray(p, p + 4 + len));
    p += 4 + len;
  }
  if (p !== data.length) throw new Error('splitHandshake: trailing bytes');
  return out;
}

export const hex = fromHex;
