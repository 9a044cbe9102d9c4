// Connection targets: one per scenario of handshake.ts. Each input replaces either one flight on
// the wire (mode 0) or one handshake message before it is sealed (mode 1), and the oracle checks
// the outcome against what the RFCs require:
//   - every handshake message up to both Finished messages is covered by the Finished MACs
//     (RFC 8446 §4.4.4, RFC 5246 §7.4.9), so any change to those bytes must make the handshake
//     fail: completing anyway is a failure;
//   - record framing is not covered: re-fragmenting plaintext handshake records (RFC 8446 §5.1,
//     RFC 5246 §6.2.1) must still complete; other framing changes (record versions, the TLS 1.3
//     compatibility CCS, ignorable warning alerts, HelloRequest) may complete or fail;
//   - post-handshake flights (TLS 1.3 NewSessionTicket) are not covered, nor (TLS 1.2) bytes
//     appended after a Finished: no assertion.
// Input layout: [mode, flight or call index, message index, 0, ...replacement bytes].
import { SCENARIOS, runPair, checkAgreement, splitMessages, type PairRun, type Scenario, type Version } from './handshake.js';
import { mutate, join, sameBytes } from './mutator.js';
import { FuzzFailure } from './failure.js';
import type { FuzzTarget } from './target.js';
import type { Rng } from './prng.js';

const RAW = 0;
const MESSAGE = 1;
const HEADER = 4;

interface Clean {
  readonly run: PairRun;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

interface FlightKey {
  /** Framing ignored where the RFC lets a receiver ignore it. */
  readonly loose: string;
  /** Everything but the split of plaintext handshake data into records. */
  readonly strict: string;
  /** Bytes after the last complete record (the receiver is still waiting for them). */
  readonly trailing: number;
}

/** A flight reduced to what the receiver must act on (see the file comment). */
export function flightKey(b: Uint8Array, version: Version, fromServer: boolean): FlightKey {
  const loose: string[] = [];
  const strict: string[] = [];
  let hs: Uint8Array[] = [];
  let hsVersions = new Set<number>();
  let odd = false;
  let encrypted = false;
  let trailing = 0;
  const flush = (): void => {
    if (hs.length === 0) return;
    const stream = join(...hs);
    let norm = stream;
    const msgs = splitMessages(stream);
    // RFC 5246 §7.4.1.1: HelloRequest is not in the transcript and may be ignored mid-handshake.
    if (msgs && version === 12 && fromServer) norm = join(...msgs.filter((m) => !(m.length === 4 && m[0] === 0)));
    loose.push('H' + hex(norm));
    strict.push('H' + hex(stream) + '/' + [...hsVersions].sort().join(',') + (odd ? '!' : ''));
    hs = [];
    hsVersions = new Set();
    odd = false;
  };
  let p = 0;
  while (p < b.length) {
    if (b.length - p < 5) {
      trailing = b.length - p;
      break;
    }
    const type = b[p]!;
    const ver = (b[p + 1]! << 8) | b[p + 2]!;
    const len = (b[p + 3]! << 8) | b[p + 4]!;
    // Any {03,XX} record version is accepted and ignored (RFC 8446 §5.1, RFC 5246 Appendix E.1).
    if (type < 20 || type > 23 || ver >> 8 !== 0x03) {
      flush();
      loose.push('X');
      strict.push('X');
      break; // the receiver fails here; nothing after it counts
    }
    if (b.length - p - 5 < len) {
      trailing = b.length - p;
      break;
    }
    const frag = b.subarray(p + 5, p + 5 + len);
    p += 5 + len;
    if (type === 22 && !encrypted) {
      hs.push(frag);
      hsVersions.add(ver);
      if (len === 0 || len > 16384) odd = true;
      continue;
    }
    // RFC 8446 §5: a TLS 1.3 compatibility CCS is dropped; RFC 5246 §7.2.2 / RFC 8446 §6.1:
    // TLS 1.2 warning alerts and user_canceled need not end the connection.
    const ccs13 = version === 13 && type === 20 && len === 1 && frag[0] === 1;
    const ignorableAlert = type === 21 && !encrypted && len === 2 && ((version === 12 && frag[0] === 1 && frag[1] !== 0) || frag[1] === 90);
    if (ccs13 || ignorableAlert) {
      strict.push(`${type}:${hex(frag)}:${ver}`);
      continue;
    }
    flush();
    if (type === 20 && version === 12) encrypted = true;
    loose.push(`${type}:${hex(frag)}`);
    strict.push(`${type}:${hex(frag)}:${ver}`);
  }
  flush();
  return { loose: loose.join('|'), strict: strict.join('|'), trailing };
}

interface RecordSpan {
  readonly start: number;
  readonly type: number;
  readonly version: number;
  readonly fragment: Uint8Array;
  readonly plaintextHandshake: boolean;
}

function records(b: Uint8Array, version: Version): RecordSpan[] {
  const out: RecordSpan[] = [];
  let encrypted = false;
  for (let p = 0; p + 5 <= b.length; ) {
    const len = (b[p + 3]! << 8) | b[p + 4]!;
    if (p + 5 + len > b.length) break;
    const type = b[p]!;
    out.push({ start: p, type, version: (b[p + 1]! << 8) | b[p + 2]!, fragment: b.subarray(p + 5, p + 5 + len), plaintextHandshake: type === 22 && !encrypted });
    if (type === 20 && version === 12) encrypted = true;
    p += 5 + len;
  }
  return out;
}

function record(type: number, version: number, fragment: Uint8Array): Uint8Array {
  const n = Math.min(fragment.length, 0xffff);
  return join(new Uint8Array([type, version >> 8, version & 0xff, n >> 8, n & 0xff]), fragment.subarray(0, n));
}

const CCS = new Uint8Array([20, 3, 3, 0, 1, 1]);
const HELLO_REQUEST = new Uint8Array([22, 3, 3, 0, 4, 0, 0, 0, 0]);

/** Framing-only changes: split/merge plaintext handshake records, record versions, CCS, HelloRequest. */
function reframe(flight: Uint8Array, rng: Rng, version: Version, fromServer: boolean): Uint8Array {
  let recs = records(flight, version).map((r) => record(r.type, r.version, r.fragment));
  const n = rng.range(1, 3);
  for (let k = 0; k < n; k++) {
    const spans = records(join(...recs), version);
    const op = rng.int(5);
    if (op <= 1) {
      // Split a plaintext handshake record (both halves non-empty).
      const cands = spans.map((s, i) => [s, i] as const).filter(([s]) => s.plaintextHandshake && s.fragment.length >= 2);
      if (cands.length === 0) continue;
      const [s, i] = rng.pick(cands);
      const at = rng.range(1, s.fragment.length - 1);
      recs.splice(i, 1, record(22, s.version, s.fragment.subarray(0, at)), record(22, s.version, s.fragment.subarray(at)));
    } else if (op === 2) {
      // Merge two adjacent plaintext handshake records of the same version.
      const cands: number[] = [];
      for (let i = 0; i + 1 < spans.length; i++) {
        const a = spans[i]!, b = spans[i + 1]!;
        if (a.plaintextHandshake && b.plaintextHandshake && a.version === b.version && a.fragment.length + b.fragment.length <= 16384) cands.push(i);
      }
      if (cands.length === 0) continue;
      const i = rng.pick(cands);
      recs.splice(i, 2, record(22, spans[i]!.version, join(spans[i]!.fragment, spans[i + 1]!.fragment)));
    } else if (op === 3) {
      // Another legacy record version (TLS 1.0-1.2 framing).
      if (recs.length === 0) continue;
      const i = rng.int(recs.length);
      const r = recs[i]!.slice();
      r[2] = rng.pick([1, 2, 3]);
      recs[i] = r;
    } else if (version === 13) {
      // Add or drop a compatibility CCS.
      const at = spans.findIndex((s) => s.type === 20);
      if (at >= 0 && rng.chance(0.5)) recs.splice(at, 1);
      else recs.splice(rng.int(recs.length + 1), 0, CCS);
    } else if (fromServer) {
      // A HelloRequest among the server's plaintext handshake records.
      const firstEncrypted = spans.findIndex((s) => !s.plaintextHandshake);
      const end = firstEncrypted < 0 ? recs.length : firstEncrypted;
      recs.splice(rng.int(end + 1), 0, HELLO_REQUEST);
    }
  }
  return join(...recs);
}

/** Mutate one record's fragment and fix its length field. */
function mutateRecord(flight: Uint8Array, rng: Rng, version: Version, corpus: readonly Uint8Array[]): Uint8Array {
  const spans = records(flight, version);
  if (spans.length === 0) return mutate(flight, rng, corpus).bytes;
  // Plaintext handshake records reach the decoders: prefer them.
  const plain = spans.filter((s) => s.plaintextHandshake);
  const s = plain.length > 0 && rng.chance(0.7) ? rng.pick(plain) : rng.pick(spans);
  let frag = s.fragment;
  const msgs = s.plaintextHandshake ? splitMessages(frag) : undefined;
  if (msgs && msgs.length > 0 && rng.chance(0.6)) frag = join(...mutateInMessages(msgs, rng, corpus));
  else frag = mutate(frag, rng, corpus).bytes;
  const end = s.start + 5 + s.fragment.length;
  return join(flight.subarray(0, s.start), record(s.type, s.version, frag), flight.subarray(end));
}

/** Mutate one message's body keeping its header consistent (so the decoder sees the change). */
function mutateBody(m: Uint8Array, rng: Rng, corpus: readonly Uint8Array[]): Uint8Array {
  const body = mutate(m.subarray(4), rng, corpus).bytes.subarray(0, 0xffffff);
  return join(new Uint8Array([m[0]!, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body);
}

function mutateInMessages(msgs: Uint8Array[], rng: Rng, corpus: readonly Uint8Array[]): Uint8Array[] {
  const i = rng.int(msgs.length);
  return msgs.map((m, k) => (k === i ? mutateBody(m, rng, corpus) : m));
}

export function connectionTarget(scn: Scenario): FuzzTarget {
  let clean: Clean | undefined;
  let corpus: Uint8Array[] = [];
  const get = (): Clean => {
    if (!clean) throw new Error(`${scn.name}: setup() first`);
    return clean;
  };
  const target: FuzzTarget = {
    name: `conn-${scn.name}`,
    kind: 'connection',
    setup() {
      const run = runPair(scn, {});
      if (run.client.state !== 'established' || run.server.state !== 'established') {
        throw new Error(`clean ${scn.name} handshake failed: ${run.client.error?.message ?? run.server.error?.message ?? 'stalled'}`);
      }
      clean = { run };
      corpus = [...run.flights.map((f) => f.bytes), ...run.calls.flatMap((c) => c.messages)];
    },
    generate(rng) {
      const { run } = get();
      let out: Uint8Array;
      let head: number[];
      if (rng.chance(0.5)) {
        const f = rng.int(run.flights.length);
        const fl = run.flights[f]!;
        const r = rng.int(100);
        if (r < 25) out = reframe(fl.bytes, rng, scn.version, fl.from === 'server');
        else if (r < 70) out = mutateRecord(fl.bytes, rng, scn.version, corpus);
        else out = mutate(fl.bytes, rng, corpus).bytes;
        head = [RAW, f, 0, 0];
      } else {
        const c = rng.int(run.calls.length);
        const call = run.calls[c]!;
        const m = rng.int(call.messages.length);
        const orig = call.messages[m]!;
        out = rng.chance(0.6) ? mutateBody(orig, rng, corpus) : mutate(orig, rng, corpus).bytes;
        head = [MESSAGE, c, m, 0];
      }
      return join(new Uint8Array(head), out);
    },
    describe(input) {
      const { run } = get();
      const [mode, i, m] = [input[0], input[1]!, input[2]];
      if (mode === RAW) {
        const fl = run.flights[i];
        return `${scn.name}: flight #${i} (${fl?.from ?? '?'} → peer, ${fl?.bytes.length ?? '?'} bytes) replaced on the wire by ${input.length - HEADER} bytes`;
      }
      const call = run.calls[i];
      return `${scn.name}: message ${m} of sendHandshake call #${i} (${call?.from ?? '?'}, type ${call?.messages[m!]?.[0] ?? '?'}) replaced before sealing by ${input.length - HEADER} bytes`;
    },
    run(input) {
      const { run: base } = get();
      if (input.length < HEADER) return 'short';
      const mode = input[0]!;
      const index = input[1]!;
      const m = input[2]!;
      const bytes = input.subarray(HEADER);
      let expect: 'abort' | 'complete' | 'any' = 'any';
      let checkData = false;
      let result: PairRun;
      if (mode === RAW) {
        const fl = base.flights[index];
        if (!fl) return 'no-point';
        if (!fl.postHandshake) {
          const a = flightKey(fl.bytes, scn.version, fl.from === 'server');
          const b = flightKey(bytes, scn.version, fl.from === 'server');
          if (a.loose !== b.loose) expect = 'abort';
          else if (a.strict === b.strict && b.trailing === 0) expect = 'complete';
          checkData = b.trailing === 0 && expect !== 'abort';
        }
        result = runPair(scn, { raw: { mode: 'raw', flight: index, bytes } });
      } else {
        const call = base.calls[index];
        const orig = call?.messages[m];
        if (!call || !orig) return 'no-point';
        const postHandshakeType = scn.version === 13 && (orig[0] === 4 || orig[0] === 24);
        if (!call.postHandshake && !postHandshakeType && !sameBytes(orig, bytes)) {
          const before = join(...call.messages);
          const after = join(...call.messages.map((x, k) => (k === m ? bytes : x)));
          const strip = (s: Uint8Array): Uint8Array => {
            const msgs = splitMessages(s);
            return msgs && scn.version === 12 && call.from === 'server' ? join(...msgs.filter((x) => !(x.length === 4 && x[0] === 0))) : s;
          };
          // TLS 1.2: bytes appended after a Finished (in the same encrypted record) are in no
          // transcript: the Finished verifies, the rest is a later message (RFC 5246 §7.4.9 covers
          // the messages before it only). TLS 1.3 is stricter: after a Finished the keys change,
          // and a handshake message may not span that (RFC 8446 §5.1), so it must abort.
          const appendedAfterFinished12 =
            scn.version === 12 && call.messages[call.messages.length - 1]![0] === 20 &&
            after.length > before.length && sameBytes(after.subarray(0, before.length), before);
          if (!sameBytes(strip(before), strip(after)) && !appendedAfterFinished12) expect = 'abort';
        }
        result = runPair(scn, { message: { mode: 'message', call: index, message: m, bytes } });
      }
      const both = result.client.state === 'established' && result.server.state === 'established';
      const errors = `client: ${result.client.error?.message ?? result.client.state}; server: ${result.server.error?.message ?? result.server.state}`;
      if (expect === 'abort' && both) {
        throw new FuzzFailure('completed', `${target.describe!(input)}: the handshake completed although transcript-covered bytes changed`);
      }
      if (expect === 'complete' && !both) {
        throw new FuzzFailure('completed', `${target.describe!(input)}: only record framing changed, yet the handshake did not complete (${errors})`);
      }
      if (both && (checkData || expect === 'complete')) checkAgreement(result, target.describe!(input));
      if (both) return 'established';
      if (result.client.error || result.server.error) return 'failed';
      return 'stalled';
    },
  };
  return target;
}

export function connectionTargets(): FuzzTarget[] {
  return SCENARIOS.map(connectionTarget);
}
