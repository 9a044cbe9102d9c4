// The handshake transcript hash (RFC 8446 §4.4.1), kept incrementally: every handshake message
// (with its 4-byte header) is fed once to a provider hash; `hash()` digests a copy, so the
// transcript is never re-hashed.
//
// A client sends its ClientHello before it knows the cipher suite (and so the hash). Until
// `selectHash` is called the transcript keeps copies of the messages (the ClientHello and, after
// a HelloRetryRequest, nothing else: the hash is chosen by then), then feeds them to the hash and
// drops them.
import type { CryptoProvider, HashName, HashState } from '../crypto/provider.js';
import { HASH_LENGTH } from '../crypto/provider.js';
import { internalError } from '../errors/errors.js';
import { HandshakeType } from '../wire/enums.js';

export class Transcript {
  private state: HashState | undefined;
  private name: HashName | undefined;
  /** Messages added before the hash was chosen (copies: callers may reuse their buffers). */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private messages = 0;

  constructor(private readonly provider: CryptoProvider, hash?: HashName) {
    if (hash !== undefined) this.selectHash(hash);
  }

  /** The hash, once chosen. */
  get hashName(): HashName | undefined {
    return this.name;
  }

  /** Number of messages added (a message_hash replacement counts as one). */
  get messageCount(): number {
    return this.messages;
  }

  /** Bytes buffered while waiting for the hash to be chosen. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /**
   * Choose the hash (from the negotiated suite) and feed it what was buffered.
   * Choosing it twice is a bug, unless it is the same hash.
   */
  selectHash(hash: HashName): void {
    if (this.name !== undefined) {
      if (this.name === hash) return;
      throw internalError(`transcript hash already chosen (${this.name}), cannot switch to ${hash}`);
    }
    this.name = hash;
    const state = this.provider.hash(hash);
    for (const m of this.pending) state.update(m);
    this.state = state;
    this.pending = [];
    this.pendingLength = 0;
  }

  /** Add one handshake message, including its 4-byte header (type, uint24 length). */
  add(message: Uint8Array): void {
    this.messages++;
    if (this.state !== undefined) {
      this.state.update(message);
      return;
    }
    this.pending.push(message.slice());
    this.pendingLength += message.length;
  }

  /** Transcript-Hash of everything added so far (does not end the transcript). */
  hash(): Uint8Array {
    return this.requireState('hash').copy().digest();
  }

  /**
   * Transcript-Hash of what was added followed by `extra`, without adding `extra`. Used for the
   * PSK binder over the truncated ClientHello (RFC 8446 §4.2.11.2). Before the hash is chosen,
   * pass `hash` (the PSK's hash) and it is computed over the buffered messages.
   */
  hashWith(extra: Uint8Array, hash?: HashName): Uint8Array {
    if (this.state !== undefined) {
      if (hash !== undefined && hash !== this.name) {
        throw internalError(`transcript uses ${this.name}, asked for ${hash}`);
      }
      const s = this.state.copy();
      s.update(extra);
      return s.digest();
    }
    if (hash === undefined) throw internalError('transcript: hashWith before the hash was chosen needs a hash name');
    const s = this.provider.hash(hash);
    for (const m of this.pending) s.update(m);
    s.update(extra);
    return s.digest();
  }

  /**
   * RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by
   *   message_hash(254) || 00 00 Hash.length || Hash(ClientHello1).
   * Call this when the transcript holds exactly ClientHello1 (the hash must be chosen: the
   * HelloRetryRequest names the suite), before adding the HelloRetryRequest.
   */
  replaceWithMessageHash(): void {
    const state = this.requireState('message_hash');
    if (this.messages !== 1) {
      throw internalError(`transcript: message_hash replaces ClientHello1 only, but ${this.messages} messages were added`);
    }
    const digest = state.digest();
    const n = HASH_LENGTH[this.name!];
    const synthetic = new Uint8Array(4 + n);
    synthetic[0] = HandshakeType.message_hash;
    synthetic[3] = n; // uint24 length: 00 00 n (n ≤ 64)
    synthetic.set(digest, 4);
    const next = this.provider.hash(this.name!);
    next.update(synthetic);
    this.state = next;
  }

  private requireState(what: string): HashState {
    if (this.state === undefined) throw internalError(`transcript: ${what} before the hash was chosen`);
    return this.state;
  }
}
