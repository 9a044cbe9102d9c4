// The `hush serve` inspector names every group Chromium offers (GREASE, X25519MLKEM768, x25519,
// secp256r1, secp384r1) and explains the post-quantum hybrid: an in-memory pair whose client hello
// copies Chromium's supported_groups, GREASE first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionReport, inspectorPage } from '../../src/cli/inspector.js';
import * as m from '../../src/handshake/messages/index.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import { assertEstablished, connect } from '../connection/helpers.js';

test('inspector: Chromium-like groups are all named, GREASE as GREASE; the key exchange step explains the hybrid', () => {
  const grease = 0x3a3a;
  const chromiumGroups = (ours: readonly m.Extension[]) =>
    ours.map((e) =>
      e.type === ExtensionType.supported_groups
        ? m.encodeSupportedGroupsExt([grease, NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1])
        : e,
    );
  const p = connect({ customizeHelloExtensions: chromiumGroups }, {});
  assertEstablished(p);
  const hs = p.serverEvents.find((e) => e.type === 'handshake');
  assert.ok(hs && hs.type === 'handshake');
  const r = connectionReport(hs.info);
  assert.equal(r.group, 'X25519MLKEM768');
  assert.deepEqual(r.offered.groups, ['GREASE', 'X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1']);
  assert.deepEqual(r.offered.keyShares, ['X25519MLKEM768', 'x25519']);
  const page = inspectorPage(r);
  assert.match(page, /<span class="chip">GREASE<\/span> <span class="chip chosen">X25519MLKEM768<\/span>/);
  assert.match(page, /<p id="post-quantum"><b>X25519MLKEM768<\/b> is a <b>post-quantum hybrid<\/b>.*ML-KEM-768/);
  assert.match(page, /harvest now, decrypt later/);

  // A classical group gets no post-quantum paragraph.
  const q = connect({}, { groups: [NamedGroup.x25519] });
  const hq = q.serverEvents.find((e) => e.type === 'handshake');
  assert.ok(hq && hq.type === 'handshake');
  assert.doesNotMatch(inspectorPage(connectionReport(hq.info)), /post-quantum/);
});
