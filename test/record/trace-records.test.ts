// Every record of the trace draft (§3-§7): each side's records are deframed from its byte stream
// in odd-sized chunks; plaintext records must equal hush's framing of the payload; protected
// records must open (with the keys the trace prints, in sequence) to the payload and re-seal to
// the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { tls13SuiteById } from '../../src/crypto/suites.js';
import { RecordDeframer } from '../../src/record/deframer.js';
import { writePlaintextRecords } from '../../src/record/plaintext.js';
import { RecordOpener13, RecordSealer13, type RecordKeys } from '../../src/record/protection13.js';
import { loadTrace } from '../schedule/trace.js';

const suite = tls13SuiteById(0x1301)!;
const CONTENT: Record<string, number> = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 };
type Role = 'client' | 'server';
const peer = (r: Role): Role => (r === 'client' ? 'server' : 'client');

test('trace draft: every record deframes, opens and re-seals (or frames) byte for byte', () => {
  const trace = loadTrace();
  const counts: Record<number, { plaintext: number; protected: number }> = {};
  for (const [section, steps] of trace) {
    // Keys per (writer, epoch) from "derive write/read traffic keys for <epoch> data" steps;
    // a writer switches epoch at its own "derive write ..." step (printed or "same as").
    const keys = new Map<string, RecordKeys>();
    const epochOf = new Map<Role, string>();
    const openers = new Map<string, RecordOpener13>();
    const sealers = new Map<string, RecordSealer13>();
    const streams: Record<Role, Uint8Array[]> = { client: [], server: [] };
    const expected: Record<Role, { type: number; payload: Uint8Array; record: Uint8Array; epoch?: string }[]> = { client: [], server: [] };
    let plaintext = 0;
    let protectedCount = 0;
    for (const s of steps) {
      const m = /^derive (write|read) traffic keys for (.*?) data/.exec(s.action);
      if (m) {
        const writer = m[1] === 'write' ? s.role : peer(s.role);
        const epoch = m[2]!;
        if (s.fields.size > 0) keys.set(`${writer}/${epoch}`, { key: s.fields.get('key expanded')!, iv: s.fields.get('iv expanded')! });
        if (m[1] === 'write') epochOf.set(s.role, epoch);
        continue;
      }
      const r = /^send (\w+) record/.exec(s.action);
      if (!r) continue;
      const record = s.fields.get('complete record')!;
      const payload = s.fields.get('payload')!;
      streams[s.role].push(record);
      const enc = record[0] === 23; // TLS 1.3: every protected record has outer type application_data
      expected[s.role].push({ type: CONTENT[r[1]!]!, payload, record, epoch: enc ? `${s.role}/${epochOf.get(s.role)}` : undefined });
    }
    for (const role of ['client', 'server'] as const) {
      // The whole stream of this side, in chunks of 1, 2, 3, ... 97 bytes.
      const stream = concat(...streams[role]);
      const d = new RecordDeframer();
      let i = 0;
      let step = 1;
      let k = 0;
      while (i < stream.length) {
        d.push(stream.subarray(i, i + step));
        i += step;
        step = (step % 97) + 1;
        for (let rec = d.next(); rec; rec = d.next()) {
          const want = expected[role][k++]!;
          assert.ok(want, `§${section} ${role}: more records than the trace has`);
          assert.equal(rec.fragment.length + 5, want.record.length);
          if (want.epoch === undefined) {
            assert.equal(rec.type, want.type);
            assert.equal(toHex(writePlaintextRecords(rec.type, rec.version, want.payload)), toHex(want.record), `§${section} ${role} plaintext record`);
            plaintext++;
            continue;
          }
          const rk = keys.get(want.epoch);
          assert.ok(rk, `§${section}: keys for ${want.epoch}`);
          let opener = openers.get(want.epoch);
          if (!opener) openers.set(want.epoch, (opener = new RecordOpener13(provider, suite, rk)));
          let sealer = sealers.get(want.epoch);
          if (!sealer) sealers.set(want.epoch, (sealer = new RecordSealer13(provider, suite, rk)));
          const o = opener.open(rec);
          assert.equal(o.type, want.type, `§${section} ${role} ${want.epoch} inner type`);
          assert.equal(toHex(o.content), toHex(want.payload), `§${section} ${role} ${want.epoch} #${opener.recordCount}`);
          assert.equal(toHex(sealer.seal(o.type, o.content)), toHex(want.record), `§${section} ${role} re-seal`);
          protectedCount++;
        }
      }
      assert.equal(k, expected[role].length, `§${section} ${role}: all records deframed`);
      assert.equal(d.bufferedBytes, 0);
    }
    counts[section] = { plaintext, protected: protectedCount };
  }
  assert.deepEqual(counts, {
    3: { plaintext: 2, protected: 7 },
    4: { plaintext: 2, protected: 8 }, // incl. 0-RTT data and EndOfEarlyData under the early keys
    5: { plaintext: 4, protected: 4 }, // two ClientHellos and a HelloRetryRequest
    6: { plaintext: 2, protected: 4 },
    7: { plaintext: 4, protected: 4 }, // incl. two ChangeCipherSpec records
  });
  const total = Object.values(counts).reduce((n, c) => n + c.plaintext + c.protected, 0);
  assert.equal(total, 41, 'every "complete record" of the trace');
});
