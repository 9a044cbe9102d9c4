// The TLS 1.3 secrets a connection keeps after the key schedule: the current read and write
// traffic secrets and, once established, the exporter master secret, with the KeyUpdate ratchet
// (RFC 8446 §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)).
//
// Memory: the three secrets are copied into one buffer (one typed array instead of three: ~370
// heap bytes less per connection), one slot of suite.hashLength bytes each. A KeyUpdate
// overwrites the superseded traffic secret in place.
import { internalError } from '../errors/errors.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { Tls13Suite } from '../crypto/suites.js';
import { exportKeyingMaterial, nextTrafficSecret, trafficKeys, type TrafficKeys } from '../schedule/tls13.js';

const WRITE = 0;
const READ = 1;
const EXPORTER = 2;

export class Secrets13 {
  private all: Uint8Array | undefined;
  private current: Tls13Suite | undefined;
  private exporterKept = false;

  constructor(private readonly provider: CryptoProvider) {}

  /** The suite of the secrets (the same both ways, RFC 8446 §4.1.3); undefined before the first. */
  get suite(): Tls13Suite | undefined {
    return this.current;
  }

  /** The handshake completed: the exporter master secret is kept. */
  get established(): boolean {
    return this.exporterKept;
  }

  /** Keep `secret` as the read traffic secret; returns its record keys. */
  setRead(suite: Tls13Suite, secret: Uint8Array): TrafficKeys {
    this.keep(suite, READ, secret);
    return trafficKeys(this.provider, suite, secret);
  }

  /** Keep `secret` as the write traffic secret; returns its record keys. */
  setWrite(suite: Tls13Suite, secret: Uint8Array): TrafficKeys {
    this.keep(suite, WRITE, secret);
    return trafficKeys(this.provider, suite, secret);
  }

  setExporter(suite: Tls13Suite, exporterMasterSecret: Uint8Array): void {
    this.keep(suite, EXPORTER, exporterMasterSecret);
    this.exporterKept = true;
  }

  /** The record keys of the current read secret (again: a fresh copy for trial decryption). */
  readKeys(): TrafficKeys {
    return trafficKeys(this.provider, this.suiteOrThrow(), this.slot(READ));
  }

  /** KeyUpdate received (RFC 8446 §4.6.3): move the read secret one step on; returns its keys. */
  updateRead(): TrafficKeys {
    const suite = this.suiteOrThrow();
    return this.setRead(suite, nextTrafficSecret(this.provider, suite.hash, this.slot(READ)));
  }

  /** KeyUpdate sent: move the write secret one step on; returns its keys. */
  updateWrite(): TrafficKeys {
    const suite = this.suiteOrThrow();
    return this.setWrite(suite, nextTrafficSecret(this.provider, suite.hash, this.slot(WRITE)));
  }

  /** RFC 8446 §7.5 exporter over the kept exporter master secret (the caller checks the length). */
  exportKeyingMaterial(length: number, label: string, context: Uint8Array | undefined): Uint8Array {
    if (!this.exporterKept) throw internalError('no TLS 1.3 exporter secret yet');
    return exportKeyingMaterial(this.provider, this.suiteOrThrow().hash, this.slot(EXPORTER), label, context, length);
  }

  private suiteOrThrow(): Tls13Suite {
    const suite = this.current;
    if (suite === undefined) throw internalError('no TLS 1.3 secrets yet');
    return suite;
  }

  /** Copy a secret into its slot (all slots have the suite's hash length). */
  private keep(suite: Tls13Suite, slot: number, secret: Uint8Array): void {
    const n = secret.length;
    let all = this.all;
    if (all === undefined) all = this.all = new Uint8Array(3 * n);
    else if (all.length !== 3 * n) throw internalError(`TLS 1.3 secret of ${n} bytes, expected ${all.length / 3}`);
    all.set(secret, slot * n);
    this.current = suite;
  }

  /** A view of a slot. */
  private slot(slot: number): Uint8Array {
    const all = this.all;
    if (all === undefined) throw internalError('no TLS 1.3 secrets yet');
    const n = all.length / 3;
    return all.subarray(slot * n, slot * n + n);
  }
}
