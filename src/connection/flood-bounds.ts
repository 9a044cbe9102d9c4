// Bounds on a peer that sends records that carry nothing (RFC 8446 §5.1 lets a peer send empty
// application data records; TLS allows warnings, compat ChangeCipherSpecs and KeyUpdates): a
// bounded number in a row, then unexpected_message. Counters reset with progress (application
// data, or a handshake message while the handshake runs).
import { alertName } from '../errors/alert.js';
import { unexpectedMessage } from '../errors/errors.js';

/**
 * Records in a row that deliver no application data and make no handshake progress (empty
 * records, ChangeCipherSpec, ignored alerts, dropped messages) before we call the peer abusive.
 * OpenSSL and BoringSSL allow 32 empty records, Go 16 such records of any kind.
 */
export const MAX_IDLE_RECORDS = 32;
/** Of those, ignored alerts (TLS 1.2 warnings, TLS 1.3 user_canceled): OpenSSL allows 5, BoringSSL 4. */
export const MAX_IGNORED_ALERTS = 5;
/** KeyUpdates received in a row without application data (BoringSSL's bound). */
export const MAX_KEY_UPDATES = 32;

export class FloodBounds {
  /** Records in a row without progress (MAX_IDLE_RECORDS). */
  private idleRecords = 0;
  /** Alerts ignored since the last progress (MAX_IGNORED_ALERTS). */
  private ignoredAlerts = 0;
  /** KeyUpdates received since the last application data (MAX_KEY_UPDATES). */
  private keyUpdates = 0;

  /** One more record in a row without progress (`what` names it): fail past the bound. */
  idle(peer: 'client' | 'server', what: string): void {
    if (++this.idleRecords > MAX_IDLE_RECORDS) {
      throw unexpectedMessage(`the ${peer} sent ${this.idleRecords} records in a row that carry nothing (the last: ${what}); hush allows ${MAX_IDLE_RECORDS}`);
    }
  }

  /** An alert that ends nothing was ignored (it is an idle record too). */
  ignoredAlert(peer: 'client' | 'server', desc: number): void {
    this.idle(peer, `the alert ${alertName(desc)}`);
    if (++this.ignoredAlerts > MAX_IGNORED_ALERTS) {
      throw unexpectedMessage(`the ${peer} sent ${this.ignoredAlerts} alerts in a row that end nothing (the last: ${alertName(desc)}); hush allows ${MAX_IGNORED_ALERTS}`);
    }
  }

  /** A KeyUpdate we did not ask for arrived (each costs a key derivation). */
  keyUpdate(peer: 'client' | 'server'): void {
    if (++this.keyUpdates > MAX_KEY_UPDATES) {
      throw unexpectedMessage(`the ${peer} sent ${this.keyUpdates} KeyUpdates without application data in between; hush allows ${MAX_KEY_UPDATES}`);
    }
  }

  /** The handshake moved on. */
  progress(): void {
    this.idleRecords = 0;
    this.ignoredAlerts = 0;
  }

  /** Application data arrived. */
  data(): void {
    this.progress();
    this.keyUpdates = 0;
  }
}
