// The machinery every TLS connection shares, client or server, TLS 1.3 or 1.2: the handshake
// joiner, alerts, application data, close_notify, KeyUpdate, flood bounds and the event queue.
// Records in and out are the RecordLayer's (record-layer.ts), the TLS 1.3 secrets and their
// KeyUpdate ratchet Secrets13's (secrets13.ts). The handshake itself is a chain of state objects
// (src/handshake) that this class feeds one message at a time; they act through the
// HandshakeContext it implements.
import { AlertDescription, AlertLevel, alertName, isCertificateAlert } from '../errors/alert.js';
import { TlsError, UsageError, internalError, unexpectedMessage } from '../errors/errors.js';
import { toHex } from '../bytes/util.js';
import { ContentType, HandshakeType, ProtocolVersion } from '../wire/enums.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { Tls12Suite, Tls13Suite } from '../crypto/suites.js';
import { RecordOpener13, RecordSealer13, padToMultiple } from '../record/protection13.js';
import { RecordOpener12, RecordSealer12 } from '../record/protection12.js';
import { MAX_PLAINTEXT_LENGTH, MIN_SEND_FRAGMENT_LENGTH } from '../record/limits.js';
import type { TrafficKeys } from '../schedule/tls13.js';
import { exportKeyingMaterial12, type Keys12 } from '../schedule/tls12.js';
import { HandshakeJoiner, type HandshakeMessage } from '../handshake/messages/handshake.js';
import { decodeKeyUpdate, encodeKeyUpdate } from '../handshake/messages/key-update.js';
import type { Established12, Established13, HandshakeContext, Protection12Params } from '../handshake/context.js';
import type { HandshakeState } from '../handshake/state.js';
import type { HandshakeInfo } from '../handshake/events.js';
import type { ConnectionEvent } from './events.js';
import type { TraceEvent } from '../handshake/trace.js';
import { trace } from '../handshake/trace.js';
import type { ConnectionState, TlsConnection } from './api.js';
import { RecordLayer, type InboundRecord } from './record-layer.js';
import { Secrets13 } from './secrets13.js';
import { FloodBounds } from './flood-bounds.js';

export type { HandshakeState };

export interface BaseOptions {
  readonly provider: CryptoProvider;
  readonly now: () => number;
  readonly keyLog?: boolean;
  readonly trace?: boolean;
  readonly maxHandshakeMessageSize?: number;
  readonly keyUpdateAfterRecords?: number;
  readonly recordPadding?: number;
  /** Largest content per record we send, 512..16384 (default 16384); see TlsConnection.setMaxSendFragment. */
  readonly maxSendFragment?: number;
  /**
   * Allocates the buffers application records are sealed into (default `new Uint8Array(n)`).
   * Every byte handed out by takeOutput() is written by the sealer first, so an adapter may pass
   * an allocator that does not zero-fill; see also TransportOptions.
   */
  readonly allocate?: (n: number) => Uint8Array;
}

/** What the adapter that drives a connection sets, apart from the TLS config (constructor option). */
export interface TransportOptions {
  /** Where application records are sealed (see BaseOptions.allocate; this one wins). The node adapter passes one that does not zero-fill. */
  readonly allocate?: (n: number) => Uint8Array;
}

/** Refuse to hold more than this much unsent application data before the handshake completes. */
const MAX_EARLY_WRITE_BUFFER = 16 * 1024 * 1024;
/** The message of a TlsError for an alert the peer sent (the CLI and server logs print it as is). */
function receivedAlertMessage(peer: 'client' | 'server', desc: number): string {
  // RFC 8446 §6.2 / RFC 5246 §7.2.2: these alerts are about the certificate the sender received.
  return isCertificateAlert(desc)
    ? `the ${peer} rejected our certificate: ${alertName(desc)}`
    : `the ${peer} sent a fatal alert: ${alertName(desc)}`;
}

/** TlsConnection.setMaxSendFragment's argument: an integer 512..16384, else UsageError. */
export function checkMaxSendFragment(max: number): void {
  if (!Number.isInteger(max) || max < MIN_SEND_FRAGMENT_LENGTH || max > MAX_PLAINTEXT_LENGTH) {
    throw new UsageError(`the largest record content to send must be an integer ${MIN_SEND_FRAGMENT_LENGTH}..${MAX_PLAINTEXT_LENGTH}, not ${max}`);
  }
}

export abstract class BaseConnection implements TlsConnection, HandshakeContext {
  abstract readonly side: 'client' | 'server';

  readonly provider: CryptoProvider;
  readonly tracing: boolean;
  protected readonly options: BaseOptions;

  protected handshakeState: HandshakeState;
  private readonly records: RecordLayer;
  private readonly joiner: HandshakeJoiner;
  /** TLS 1.3 (set with the first TLS 1.3 secret): what this connection keeps of the key schedule. */
  private secrets13: Secrets13 | undefined;
  private established12: Established12 | undefined;

  // The queues are allocated when something is queued, not kept empty (an idle connection holds
  // none of them).
  private events: ConnectionEvent[] | undefined;
  private pendingWrites: Uint8Array[] | undefined;
  private pendingWriteBytes = 0;
  /**
   * The lifecycle `state` reports: handshaking → established (handshakeComplete) → closed once
   * close_notify went both ways (from handshaking too, when both sides closed before the
   * handshake completed); failed from any state, for good. Changed only by the transitions below.
   */
  private lifecycle: ConnectionState = 'handshaking';
  private failure: TlsError | undefined;
  private sentCloseNotify = false;
  private receivedCloseNotify = false;
  private info: HandshakeInfo | undefined;
  /** Records, alerts and KeyUpdates in a row that carry nothing: bounded. */
  private readonly floods = new FloodBounds();
  /** TLS 1.2 was negotiated (set before the handshake completes, for alert handling). */
  private tls12 = false;
  private ccsSent = false;
  /** A KeyUpdate(update_requested) arrived: answer with our own before sending more data. */
  private keyUpdateOwed = false;
  /** We sent KeyUpdate(update_requested): the peer's next KeyUpdate is its answer, not counted. */
  private keyUpdateAsked = false;
  /** The client random, for key log lines. */
  protected clientRandom: Uint8Array | undefined;

  /** `helloLimits`: a server's bounds on the ClientHello (see HandshakeJoinerOptions). */
  protected constructor(
    options: BaseOptions,
    initial: HandshakeState,
    helloLimits?: { readonly maxClientHelloSize: number; readonly maxClientHelloRecords: number },
    transport: TransportOptions = {},
  ) {
    this.options = options;
    this.provider = options.provider;
    this.tracing = options.trace ?? false;
    this.joiner = new HandshakeJoiner({
      ...(options.maxHandshakeMessageSize === undefined ? {} : { maxMessageSize: options.maxHandshakeMessageSize }),
      ...helloLimits,
    });
    this.handshakeState = initial;
    this.records = new RecordLayer(transport.allocate ?? options.allocate);
    if (options.maxSendFragment !== undefined) this.setMaxSendFragment(options.maxSendFragment);
  }

  // ---------------------------------------------------------------- TlsConnection

  get state(): ConnectionState {
    return this.lifecycle;
  }

  get handshakeInfo(): HandshakeInfo | undefined {
    return this.info;
  }

  get error(): TlsError | undefined {
    return this.failure;
  }

  get peerClosed(): boolean {
    return this.receivedCloseNotify;
  }

  get wantsWrite(): boolean {
    return this.records.wantsWrite;
  }

  takeOutput(): Uint8Array[] {
    return this.records.takeOutput();
  }

  takeEvents(): ConnectionEvent[] {
    const ev = this.events;
    if (ev === undefined) return [];
    this.events = undefined;
    return ev;
  }

  receive(data: Uint8Array): TlsError | undefined {
    if (this.failure) return this.failure;
    try {
      this.records.push(data);
      for (;;) {
        const record = this.records.read();
        if (!record) break;
        this.handleRecord(record);
        if (this.failure) return this.failure;
      }
      this.answerKeyUpdate();
      this.flushPendingWrites();
    } catch (e) {
      this.fail(e);
    }
    return this.failure;
  }

  write(data: Uint8Array): void {
    if (this.failure) throw new UsageError(`cannot write: the connection failed (${this.failure.message})`);
    if (this.sentCloseNotify) throw new UsageError('cannot write after close()');
    if (data.length === 0) return;
    if (!this.info || !this.records.writeProtected) {
      if (this.pendingWriteBytes + data.length > MAX_EARLY_WRITE_BUFFER) {
        throw new UsageError('too much data written before the handshake completed; wait for the handshake');
      }
      (this.pendingWrites ??= []).push(data.slice());
      this.pendingWriteBytes += data.length;
      return;
    }
    try {
      this.sendApplicationData(data);
    } catch (e) {
      this.fail(e);
    }
  }

  close(): void {
    if (this.sentCloseNotify || this.failure) return;
    this.flushPendingWrites();
    this.sentCloseNotify = true;
    this.closedOneWay();
    this.sendAlert(AlertDescription.close_notify, AlertLevel.warning);
  }

  setMaxSendFragment(max: number): void {
    checkMaxSendFragment(max);
    this.records.setMaxSendFragment(max);
  }

  updateKeys(requestPeer = false): void {
    if (!this.secrets13?.established || !this.records.writeProtected) throw new UsageError('updateKeys() needs an established TLS 1.3 connection');
    if (this.failure || this.sentCloseNotify) throw new UsageError('cannot update keys on a closed connection');
    this.sendKeyUpdate(requestPeer);
  }

  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    const e12 = this.established12;
    if (e12) {
      // RFC 7627 §5.4: without the extended master secret, exporter values are not unique to the connection.
      if (!e12.extendedMasterSecret) throw new UsageError('exportKeyingMaterial() refuses a TLS 1.2 session without extended master secret (RFC 7627 §5.4)');
      if (!Number.isInteger(length) || length < 0 || length > 65535) throw new UsageError('exporter length must be 0..65535');
      return exportKeyingMaterial12(this.provider, e12.suite.prfHash, e12.masterSecret, e12.clientRandom, e12.serverRandom, label, context, length);
    }
    const secrets = this.secrets13;
    const suite = secrets?.suite;
    if (!secrets?.established || !suite) throw new UsageError('exportKeyingMaterial() needs a completed handshake');
    if (!Number.isInteger(length) || length < 0 || length > 255 * suite.hashLength) {
      throw new UsageError(`exporter length must be 0..${255 * suite.hashLength}`);
    }
    return secrets.exportKeyingMaterial(length, label, context);
  }

  // ---------------------------------------------------------------- HandshakeContext

  now(): number {
    return this.options.now();
  }

  sendHandshake(message: Uint8Array): void {
    const version = this.records.writeProtected ? ProtocolVersion.TLSv1_2 : this.recordVersionForPlaintext(message);
    this.records.send(ContentType.handshake, message, version);
  }

  sendChangeCipherSpec(): void {
    if (this.ccsSent) return;
    this.ccsSent = true;
    this.records.sendPlaintext(ContentType.change_cipher_spec, new Uint8Array([1]), ProtocolVersion.TLSv1_2);
  }

  setReadSecret13(suite: Tls13Suite, secret: Uint8Array): void {
    // RFC 8446 §5.1: handshake messages MUST NOT span a key change.
    this.joiner.assertRecordBoundary('key change');
    this.readWith13(suite, this.tls13Secrets().setRead(suite, secret));
  }

  private readWith13(suite: Tls13Suite, keys: TrafficKeys): void {
    this.records.setOpener(new RecordOpener13(this.provider, suite, keys));
  }

  private tls13Secrets(): Secrets13 {
    return (this.secrets13 ??= new Secrets13(this.provider));
  }

  setReadCipher12(suite: Tls12Suite, keys: Keys12, params: Protection12Params): void {
    // RFC 5246 §7.1: ChangeCipherSpec is its own record; a handshake message may not span it.
    this.joiner.assertRecordBoundary('ChangeCipherSpec');
    this.records.setOpener(new RecordOpener12(this.provider, suite, keys, { encryptThenMac: params.encryptThenMac }));
  }

  setWriteCipher12(suite: Tls12Suite, keys: Keys12, params: Protection12Params): void {
    this.ccsSent = false;
    this.sendChangeCipherSpec();
    this.records.setSealer(new RecordSealer12(this.provider, suite, keys, { encryptThenMac: params.encryptThenMac }));
  }

  useTls12Records(): void {
    this.tls12 = true;
    this.records.useTls12Limits();
  }

  sendWarningAlert(description: number): void {
    this.sendAlert(description, AlertLevel.warning);
  }

  ignoredMessage(what: string): void {
    this.countIdle(what);
  }

  /** One more record in a row without progress: fail past the bound. */
  private countIdle(what: string): void {
    this.floods.idle(this.peerName, what);
  }

  private get peerName(): 'client' | 'server' {
    return this.side === 'client' ? 'server' : 'client';
  }

  skipEarlyData(maxBytes: number): void {
    // Trial decryption under the current read key (RFC 8446 §4.2.10), with a fresh opener each time.
    this.records.skipEarlyData(maxBytes, () => {
      const secrets = this.tls13Secrets();
      const suite = secrets.suite;
      if (suite === undefined) throw internalError('early data trial decryption without TLS 1.3 read keys');
      return new RecordOpener13(this.provider, suite, secrets.readKeys());
    });
  }

  setWriteSecret13(suite: Tls13Suite, secret: Uint8Array): void {
    this.writeWith13(suite, this.tls13Secrets().setWrite(suite, secret));
  }

  private writeWith13(suite: Tls13Suite, keys: TrafficKeys): void {
    this.records.setSealer(new RecordSealer13(this.provider, suite, keys, {
      ...(this.options.keyUpdateAfterRecords === undefined ? {} : { keyUpdateThreshold: this.options.keyUpdateAfterRecords }),
      ...(this.options.recordPadding ? { padding: padToMultiple(this.options.recordPadding) } : {}),
    }));
  }

  handshakeComplete(info: HandshakeInfo, secrets: Established13 | Established12): void {
    this.info = info;
    if (this.lifecycle === 'handshaking') this.lifecycle = 'established';
    if (secrets.suite.version === 'TLSv1.3') {
      const e = secrets as Established13;
      this.tls13Secrets().setExporter(e.suite, e.exporterMasterSecret);
    } else {
      this.established12 = secrets as Established12;
    }
    this.emit({ type: 'handshake', info });
  }

  emit(event: ConnectionEvent): void {
    (this.events ??= []).push(event);
  }

  trace(event: TraceEvent): void {
    if (this.tracing) this.emit({ type: 'trace', trace: event });
  }

  keyLog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void {
    if (this.options.keyLog) this.emit({ type: 'keylog', line: `${label} ${toHex(clientRandom)} ${toHex(secret)}` });
  }

  // ---------------------------------------------------------------- records in

  private handleRecord(record: InboundRecord): void {
    const type = record.type;
    const content = record.content;
    if (record.via === 'unprotected-alert') return this.handleAlert(content, true);

    if (content.length === 0 && type !== ContentType.application_data) {
      throw unexpectedMessage('received an empty handshake or alert record');
    }
    if (type === ContentType.change_cipher_spec) this.countIdle('ChangeCipherSpec');
    else if (content.length === 0) this.countIdle('an empty record');

    switch (type) {
      case ContentType.handshake:
        this.joiner.push(content);
        for (;;) {
          const msg = this.joiner.next();
          if (!msg) break;
          this.handleHandshakeMessage(msg);
          if (this.failure) return;
        }
        return;
      case ContentType.change_cipher_spec:
        return this.handleChangeCipherSpec(record);
      case ContentType.alert:
        return this.handleAlert(content);
      case ContentType.application_data:
        return this.handleApplicationData(content);
      default:
        throw unexpectedMessage(`unexpected record type ${type}`);
    }
  }

  private handleChangeCipherSpec(record: InboundRecord): void {
    const content = record.content;
    // RFC 8446 §5: a single-byte 0x01 CCS received before the peer's Finished is dropped;
    // any other CCS is unexpected_message. It is never protected in TLS 1.3.
    // RFC 5246 §7.1: in TLS 1.2 it switches read protection, in the one state that expects it.
    if (content.length !== 1 || content[0] !== 1) throw unexpectedMessage('malformed ChangeCipherSpec record');
    const state = this.handshakeState;
    if (state.changeCipherSpec) {
      if (!this.joiner.isEmpty) throw unexpectedMessage('ChangeCipherSpec interleaved with a fragmented handshake message');
      this.handshakeState = state.changeCipherSpec(this);
      return;
    }
    if (record.via === 'opened') {
      throw unexpectedMessage('received an encrypted ChangeCipherSpec');
    }
    if (!state.allowsCompatCcs) throw unexpectedMessage('ChangeCipherSpec received outside the handshake');
  }

  /** `unprotected`: a plaintext alert the peer sent before it switched to its TLS 1.3 keys. */
  private handleAlert(content: Uint8Array, unprotected = false): void {
    if (!this.joiner.isEmpty) throw unexpectedMessage('alert interleaved with a fragmented handshake message');
    if (content.length !== 2) throw new TlsError('decode_error', `alert record of ${content.length} bytes (expected 2)`);
    const level = content[0]!;
    const desc = content[1]!;
    if (desc === AlertDescription.close_notify) {
      // RFC 8446 §6.1: close_notify ends the peer's writing; we may still write.
      this.receivedCloseNotify = true;
      this.closedOneWay();
      this.emit({ type: 'closed' });
      this.trace(trace('alert', 'The peer sent close_notify: it will send nothing more.', { alert: 'close_notify' }));
      return;
    }
    if (desc === AlertDescription.user_canceled && this.is13OrUnknown()) {
      // RFC 8446 §6.1: user_canceled is followed by close_notify; ignored, a bounded number in a row.
      this.countIgnoredAlert(desc);
      return;
    }
    if (level === AlertLevel.warning && !this.is13OrUnknown()) {
      // TLS 1.2 warning alerts other than close_notify are ignored (RFC 5246 §7.2.2), a bounded number in a row.
      this.countIgnoredAlert(desc);
      this.trace(trace('alert', `The peer sent the warning alert ${alertName(desc)}; TLS 1.2 lets us go on.`, { alert: alertName(desc), level: 'warning' }));
      return;
    }
    // RFC 8446 §6.2: every other alert is fatal, whatever its level.
    const err = new TlsError(desc, receivedAlertMessage(this.peerName, desc), { remote: true });
    this.failure = err;
    this.lifecycle = 'failed';
    this.handshakeState.connectionFailed?.();
    // The trace comes first: adapters tear down on the error event.
    this.trace(
      trace(
        'failed',
        `The ${this.peerName} ended the connection with the alert ${alertName(desc)}` +
          (unprotected ? ' (unencrypted: it had not switched to the handshake keys yet); we close without answering.' : '.'),
        { alert: alertName(desc), reason: err.message },
      ),
    );
    this.emit({ type: 'error', error: err });
  }

  private countIgnoredAlert(desc: number): void {
    this.floods.ignoredAlert(this.peerName, desc);
  }

  private handleApplicationData(content: Uint8Array): void {
    if (!this.handshakeState.established || !this.records.readProtected) {
      throw unexpectedMessage('application data received before the handshake completed');
    }
    if (!this.joiner.isEmpty) throw unexpectedMessage('application data interleaved with a fragmented handshake message');
    if (this.receivedCloseNotify) throw unexpectedMessage('application data after close_notify');
    if (content.length > 0) {
      this.floods.data();
      this.emit({ type: 'data', data: content });
    }
  }

  private handleHandshakeMessage(msg: HandshakeMessage): void {
    if (this.receivedCloseNotify) throw unexpectedMessage('handshake message after close_notify');
    const state = this.handshakeState;
    if (state.established && msg.type === HandshakeType.key_update && this.secrets13?.established) {
      return this.handleKeyUpdate(msg, this.secrets13);
    }
    // Handshake messages move the handshake on (it bounds itself); after it, each message
    // either does something or reports itself through ignoredMessage().
    if (!state.established) this.floods.progress();
    this.handshakeState = state.handle(this, msg);
  }

  /** RFC 8446 §4.6.3. */
  private handleKeyUpdate(msg: HandshakeMessage, secrets: Secrets13): void {
    const { requestUpdate } = decodeKeyUpdate(msg.body);
    // Each costs a key derivation (and, requested, an answer): a bounded number without data,
    // not counting the answer to one we asked for.
    if (this.keyUpdateAsked && !requestUpdate) this.keyUpdateAsked = false;
    else this.floods.keyUpdate(this.peerName);
    // The new read key starts with the next record; the message must end this record (RFC 8446 §5.1).
    this.joiner.assertRecordBoundary('key change');
    const suite = secrets.suite;
    if (suite === undefined) throw internalError('KeyUpdate without TLS 1.3 secrets');
    this.readWith13(suite, secrets.updateRead());
    this.emit({ type: 'keyUpdate', direction: 'received' });
    this.trace(trace('key_update', 'The peer switched to new keys (KeyUpdate).', { requested: requestUpdate }));
    // Answered once the received bytes are processed (answerKeyUpdate): "an implementation which
    // receives multiple KeyUpdates while it is silent [responds] with a single update".
    if (requestUpdate && !this.sentCloseNotify) this.keyUpdateOwed = true;
  }

  /** Send the KeyUpdate a peer's update_requested asked for (RFC 8446 §4.6.3), once. */
  private answerKeyUpdate(): void {
    if (!this.keyUpdateOwed) return;
    this.keyUpdateOwed = false;
    if (!this.sentCloseNotify) this.sendKeyUpdate(false);
  }

  // ---------------------------------------------------------------- records out

  /** RFC 8446 §4.6.3: the KeyUpdate goes out under the old key, everything after under the next. */
  private sendKeyUpdate(requestPeer: boolean): void {
    const secrets = this.secrets13;
    const suite = secrets?.suite;
    if (secrets === undefined || suite === undefined || !this.records.writeProtected) throw internalError('KeyUpdate without TLS 1.3 write keys');
    this.keyUpdateOwed = false; // this update answers any request too
    if (requestPeer) this.keyUpdateAsked = true;
    this.records.send(ContentType.handshake, encodeKeyUpdate({ requestUpdate: requestPeer }), ProtocolVersion.TLSv1_2);
    this.writeWith13(suite, secrets.updateWrite());
    this.emit({ type: 'keyUpdate', direction: 'sent' });
  }

  private sendApplicationData(data: Uint8Array): void {
    if (this.records.needsKeyUpdate && this.secrets13?.established) this.sendKeyUpdate(false);
    this.records.sendApplicationData(data);
  }

  private flushPendingWrites(): void {
    const writes = this.pendingWrites;
    if (!this.info || !this.records.writeProtected || writes === undefined || this.failure) return;
    this.pendingWrites = undefined;
    this.pendingWriteBytes = 0;
    for (const w of writes) this.sendApplicationData(w);
  }

  protected sendAlert(desc: number, level: number = AlertLevel.fatal): void {
    this.records.send(ContentType.alert, new Uint8Array([level, desc]), ProtocolVersion.TLSv1_2);
  }

  /** The legacy_record_version for plaintext records (RFC 8446 §5.1: 0x0301 allowed for the first ClientHello). */
  protected recordVersionForPlaintext(_message: Uint8Array): number {
    return ProtocolVersion.TLSv1_2;
  }

  private is13OrUnknown(): boolean {
    if (this.tls12) return false;
    return this.info === undefined || this.info.version === 'TLSv1.3';
  }

  /** close_notify was sent or received: closed once both were (a failed connection stays failed). */
  private closedOneWay(): void {
    if (this.sentCloseNotify && this.receivedCloseNotify && this.lifecycle !== 'failed') this.lifecycle = 'closed';
  }

  /** Make the connection fail for good: queue the alert (when it is ours to send) and an error event. */
  protected fail(e: unknown): void {
    if (this.failure) return;
    const err =
      e instanceof TlsError
        ? e
        : internalError(`internal error: ${e instanceof Error ? e.message : String(e)}`, e);
    this.failure = err;
    this.lifecycle = 'failed';
    this.handshakeState.connectionFailed?.();
    if (!err.remote) {
      try {
        this.sendAlert(err.alert);
      } catch {
        // A broken sealer cannot send the alert; the transport close says enough.
      }
    }
    this.trace(trace('failed', `${this.info ? 'The connection' : 'The handshake'} failed: ${err.message}`, { alert: alertName(err.alert), reason: err.message }));
    this.emit({ type: 'error', error: err });
  }

}
