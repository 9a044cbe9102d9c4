// The record layer of one connection: records in (the deframer, then the read protection: none,
// TLS 1.3 or TLS 1.2; rejected 0-RTT skipped) and records out (plaintext or under the write
// protection, queued in order; application data sealed into a shared output slab). It knows
// nothing of the handshake: the connection switches protection when its state says so.
import { AlertDescription } from '../errors/alert.js';
import { TlsError, internalError, unexpectedMessage } from '../errors/errors.js';
import { ContentType } from '../wire/enums.js';
import { RecordDeframer, type TlsRecord } from '../record/deframer.js';
import { writePlaintextRecords } from '../record/plaintext.js';
import type { RecordOpener, RecordSealer } from '../record/protection.js';
import { MAX_CIPHERTEXT_LENGTH_12, MAX_PLAINTEXT_LENGTH } from '../record/limits.js';

/**
 * Application data is sealed into a shared output buffer of up to this many bytes (four full
 * TLS 1.3 records), so that consecutive writes become one contiguous output (one allocation and
 * one socket write for several records instead of one per write).
 */
const SLAB_BYTES = 4 * (16384 + 22);

/** A record as the connection sees it: its real content type and content. */
export interface InboundRecord {
  readonly type: number;
  readonly content: Uint8Array;
  /**
   * 'plain': it was not protected (no read keys yet, or a TLS 1.3 compat ChangeCipherSpec);
   * 'opened': decrypted under the read keys; 'unprotected-alert': a well-formed alert in the
   * clear from a TLS 1.3 peer that had not switched to the keys we read with yet.
   */
  readonly via: 'plain' | 'opened' | 'unprotected-alert';
}

export class RecordLayer {
  private readonly deframer = new RecordDeframer();
  private sealer: RecordSealer | undefined;
  private opener: RecordOpener | undefined;
  /**
   * TLS 1.3: our first read keys are installed and no record has been opened with them yet, so
   * the peer may not have switched: it may still send a plaintext alert (see read()).
   */
  private peerMaySendPlaintextAlert = false;
  /** Bytes of rejected 0-RTT data we may still discard (RFC 8446 §4.2.10); 0 = not skipping. */
  private earlyDataSkip = 0;
  /** While skipping with read keys: a fresh opener for the current read key (trial decryption). */
  private trialOpener: (() => RecordOpener) | undefined;

  // The output queue is allocated when something is queued, not kept empty (an idle connection
  // holds none).
  private output: Uint8Array[] | undefined;
  /**
   * Where application records are sealed (see SLAB_BYTES); bytes before `slabPos` are queued.
   * Dropped by takeOutput() (an idle connection keeps no slab; the views handed out keep it alive
   * until the transport wrote them).
   */
  private slab: Uint8Array | undefined;
  private slabPos = 0;
  /** Index in `output` of the view of `slab` that ends at `slabPos` (extended by the next write), or -1. */
  private slabOut = -1;
  /**
   * Largest content per record we send (setMaxSendFragment); 2^14 unless lowered. hush negotiates
   * neither record_size_limit (RFC 8449) nor max_fragment_length (RFC 6066 §4), so the peer's
   * limit is always 2^14 and this is the only cut. (A peer's record_size_limit would cap it
   * too, the smaller winning, minus 1 in TLS 1.3: RFC 8449 §4 counts the content type byte.)
   */
  private maxSendFragment = MAX_PLAINTEXT_LENGTH;

  /** `allocate`: where application records are sealed (see BaseOptions.allocate). */
  constructor(private readonly allocate: (n: number) => Uint8Array = (n) => new Uint8Array(n)) {}

  // ---------------------------------------------------------------- protection

  /** Write protection is on (records are sealed). */
  get writeProtected(): boolean {
    return this.sealer !== undefined;
  }

  /** Read protection is on. */
  get readProtected(): boolean {
    return this.opener !== undefined;
  }

  /** TLS 1.3: the write key is near its record limit (RFC 8446 §5.5). */
  get needsKeyUpdate(): boolean {
    return this.sealer !== undefined && this.sealer.needsKeyUpdate;
  }

  /** Read with `opener` from the next record on. */
  setOpener(opener: RecordOpener): void {
    // TLS 1.3's first read keys: the peer switches its write keys on its own schedule (see read()).
    if (this.opener === undefined && !opener.protectsAllTypes) this.peerMaySendPlaintextAlert = true;
    // TLS 1.2 after ChangeCipherSpec: every record type is protected (longer records allowed).
    if (opener.protectsAllTypes) this.deframer.protectAllTypes = true;
    this.opener = opener;
  }

  /** Seal with `sealer` from the next record on. */
  setSealer(sealer: RecordSealer): void {
    // The default 2^14 is every sealer's own: only a lowered limit is applied.
    if (this.maxSendFragment !== MAX_PLAINTEXT_LENGTH) sealer.limitFragment(this.maxSendFragment);
    this.sealer = sealer;
  }

  /**
   * Cut the content of the records queued from now on (plaintext or sealed, under this sealer
   * and the next ones) at `max` bytes (checked by the caller: MIN_SEND_FRAGMENT_LENGTH..2^14).
   * Records already queued keep their size.
   */
  setMaxSendFragment(max: number): void {
    this.maxSendFragment = max;
    this.sealer?.limitFragment(max);
  }

  /** TLS 1.2 was negotiated: its record size limits apply. */
  useTls12Limits(): void {
    this.deframer.setLimits({ maxCiphertextLength: MAX_CIPHERTEXT_LENGTH_12 });
  }

  /**
   * RFC 8446 §4.2.10: discard up to `maxBytes` of the client's rejected early data. `trial` makes
   * a fresh opener for the current read key (called only once read keys are set).
   */
  skipEarlyData(maxBytes: number, trial: () => RecordOpener): void {
    this.earlyDataSkip = Math.max(0, maxBytes);
    this.trialOpener = this.earlyDataSkip > 0 ? trial : undefined;
  }

  // ---------------------------------------------------------------- records in

  /** Keep received bytes until whole records are there (any split). */
  push(data: Uint8Array): void {
    this.deframer.push(data);
  }

  /** The next complete record, unprotected; undefined when none is complete. */
  read(): InboundRecord | undefined {
    for (;;) {
      const record = this.deframer.next();
      if (!record) return undefined;
      if (this.earlyDataSkip > 0 && record.type === ContentType.application_data && this.skipRejectedEarlyData(record)) continue;
      return this.unprotect(record);
    }
  }

  private unprotect(record: TlsRecord): InboundRecord {
    const type = record.type;
    const opener = this.opener;
    if (opener === undefined) return { type, content: record.fragment, via: 'plain' };
    if (type === ContentType.application_data || opener.protectsAllTypes) {
      const opened = opener.open(record);
      this.peerMaySendPlaintextAlert = false;
      return { type: opened.type, content: opened.content, via: 'opened' };
    }
    if (type === ContentType.change_cipher_spec) return { type, content: record.fragment, via: 'plain' };
    // TLS 1.3 switches read keys without a signal from the peer, which switches its write keys
    // when its own state machine gets there: a client that rejects our certificate while reading
    // our flight (OpenSSL's unknown_ca) sends that alert in plaintext. Until a record arrives
    // under the new keys, a plaintext alert is taken as what it says (OpenSSL's
    // ENC_READ_STATE_ALLOW_PLAIN_ALERTS): the connection fails without an answer (answering a
    // peer that has already given up gains nothing; RFC 8446 §5 would allow aborting). Only a
    // well-formed alert (2 bytes) is taken so; anything else stays unexpected_message.
    if (type === ContentType.alert && record.fragment.length === 2 && this.peerMaySendPlaintextAlert) {
      return { type, content: record.fragment, via: 'unprotected-alert' };
    }
    // RFC 8446 §5: once protection is on, only application_data (and a compat CCS) may appear.
    throw unexpectedMessage(`received an unprotected ${type === ContentType.alert ? 'alert' : 'handshake'} record after encryption started`);
  }

  /**
   * RFC 8446 §4.2.10: a server that rejects 0-RTT discards the client's early data records: before
   * it has read keys (after a HelloRetryRequest) every application_data record, then every record
   * that fails to decrypt under the handshake key, up to a byte budget. The first record that
   * decrypts ends the skipping. Returns true when the record was discarded.
   */
  private skipRejectedEarlyData(record: TlsRecord): boolean {
    const take = (): true => {
      this.earlyDataSkip -= record.fragment.length;
      // RFC 8446 §4.2.10: more than the allowed early data → unexpected_message.
      if (this.earlyDataSkip < 0) throw unexpectedMessage('the client sent more rejected early data than we allow');
      return true;
    };
    if (this.opener === undefined || this.trialOpener === undefined) return take();
    // Trial-decrypt with a fresh opener: a failed attempt must not advance the sequence number
    // (no record has been read under this key yet while we are skipping).
    try {
      this.trialOpener().open(record);
    } catch (e) {
      if (e instanceof TlsError && e.alert === AlertDescription.bad_record_mac) return take();
      throw e;
    }
    this.earlyDataSkip = 0;
    this.trialOpener = undefined;
    return false;
  }

  // ---------------------------------------------------------------- records out

  /** True when takeOutput() would return something. */
  get wantsWrite(): boolean {
    return this.output !== undefined;
  }

  /** The queued bytes, in order. */
  takeOutput(): Uint8Array[] {
    const out = this.output;
    if (out === undefined) return [];
    this.output = undefined;
    this.slabOut = -1;
    this.slab = undefined;
    this.slabPos = 0;
    return out;
  }

  /** Queue bytes to send; returns the new queue length. */
  private queue(bytes: Uint8Array): number {
    return (this.output ??= []).push(bytes);
  }

  /**
   * Queue `body` as records of content `type`: sealed once write protection is on, else plaintext
   * with legacy_record_version `plaintextVersion`.
   */
  send(type: number, body: Uint8Array, plaintextVersion: number): void {
    if (this.sealer) this.queue(this.sealer.seal(type, body));
    else this.queue(writePlaintextRecords(type, plaintextVersion, body, this.maxSendFragment));
  }

  /** Queue `body` as plaintext records whatever the protection (ChangeCipherSpec). */
  sendPlaintext(type: number, body: Uint8Array, version: number): void {
    this.queue(writePlaintextRecords(type, version, body, this.maxSendFragment));
  }

  /** Seal application data (write protection must be on) into the output slab, after the previous write's records. */
  sendApplicationData(data: Uint8Array): void {
    const sealer = this.sealer;
    if (sealer === undefined) throw internalError('application data before write protection');
    const n = sealer.sealedLength(ContentType.application_data, data.length);
    let slab = this.slab;
    let start = this.slabPos;
    if (slab === undefined || slab.length - start < n) {
      // Room for this write and a few more like it; a write larger than the slab gets its own.
      const size = Math.max(n, Math.min(SLAB_BYTES, 4 * n));
      slab = this.slab = this.allocate(size);
      if (slab.length !== size) throw internalError(`allocator returned ${slab.length} bytes, asked for ${size}`);
      start = 0;
      this.slabOut = -1;
    }
    const end = sealer.sealInto(ContentType.application_data, data, slab, start);
    if (end !== start + n) throw internalError('sealedLength disagrees with sealInto');
    this.slabPos = end;
    const out = this.output;
    const prev = out === undefined || this.slabOut !== out.length - 1 ? undefined : out[this.slabOut];
    if (out !== undefined && prev !== undefined) {
      // Right after the previous write's records, with nothing else queued in between: one view.
      out[this.slabOut] = slab.subarray(prev.byteOffset - slab.byteOffset, end);
    } else {
      this.slabOut = this.queue(slab.subarray(start, end)) - 1;
    }
    if (end === slab.length) {
      this.slab = undefined;
      this.slabPos = 0;
    }
  }
}
