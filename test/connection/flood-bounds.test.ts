// FloodBounds (src/connection/flood-bounds.ts) on its own: each bound is reached exactly, and
// progress or application data resets the counters it should reset and no others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TlsError } from '../../src/errors/index.js';
import { FloodBounds, MAX_IDLE_RECORDS, MAX_IGNORED_ALERTS, MAX_KEY_UPDATES } from '../../src/connection/flood-bounds.js';

const unexpected = (re: RegExp) => (e: unknown) => e instanceof TlsError && e.alertName === 'unexpected_message' && re.test(e.message);

test('FloodBounds: idle records, ignored alerts and KeyUpdates fail one past their bound', () => {
  const f = new FloodBounds();
  for (let i = 0; i < MAX_IDLE_RECORDS; i++) f.idle('client', 'an empty record');
  assert.throws(() => f.idle('client', 'an empty record'), unexpected(/the client sent 33 records in a row/));

  const a = new FloodBounds();
  for (let i = 0; i < MAX_IGNORED_ALERTS; i++) a.ignoredAlert('server', 90);
  assert.throws(() => a.ignoredAlert('server', 90), unexpected(/the server sent 6 alerts in a row .*user_canceled/));

  const k = new FloodBounds();
  for (let i = 0; i < MAX_KEY_UPDATES; i++) k.keyUpdate('client');
  assert.throws(() => k.keyUpdate('client'), unexpected(/33 KeyUpdates/));
});

test('FloodBounds: handshake progress resets idle records and alerts, application data also KeyUpdates', () => {
  const f = new FloodBounds();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < MAX_IDLE_RECORDS - 1; i++) f.idle('client', 'ChangeCipherSpec');
    f.progress();
  }
  for (let i = 0; i < MAX_KEY_UPDATES; i++) f.keyUpdate('client');
  f.progress();
  assert.throws(() => f.keyUpdate('client'), unexpected(/KeyUpdates/), 'handshake progress does not reset KeyUpdates');
  const g = new FloodBounds();
  for (let i = 0; i < MAX_KEY_UPDATES; i++) g.keyUpdate('server');
  g.data();
  g.keyUpdate('server');
});
