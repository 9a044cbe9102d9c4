// The write side of TLSSocket: application data from _write/_writev is handed to the connection in
// slices, the records it seals go to the underlying socket (corked: one syscall for many records),
// and 'drain' resumes a blocked pump, so buffering stays bounded.
//
// Coalescing: small writes are copied into one staging buffer and sealed together (one full
// record instead of many tiny ones: each record costs a cipher context); a larger write that
// follows small ones tops the staging buffer up to a full record before the rest of it is sealed
// straight from the caller's buffer, so node:http's head and body share one record (as with
// node:tls) while a stream of large writes is never copied. Records are handed to the socket once
// FLUSH_BYTES are due or at the end of the event-loop turn (setImmediate), so a stream of 16 KiB
// writes leaves as one writev of several records.
import type { Duplex } from 'node:stream';
import type { TlsConnection } from '../connection/api.js';
import { allocUnsafe } from './alloc.js';

/** Application data handed to the connection per step; bounds our buffering. */
const WRITE_SLICE = 64 * 1024;

/** Sealed bytes that are handed to the socket at once (one writev), at the latest. */
const FLUSH_BYTES = 64 * 1024;

/** Stop handing records to the socket while it holds this many unsent bytes (and said false). */
const RAW_BACKLOG = FLUSH_BYTES;

/** Writes shorter than this are copied into the staging buffer and sealed together. */
const SMALL_WRITE = 4 * 1024;

/** The staging buffer: one full record of plaintext (RFC 8446 §5.1: 2^14). */
const STAGE_BYTES = 16 * 1024;

type Pending = { chunks: Uint8Array[]; index: number; offset: number; cb: (err?: Error | null) => void };

// What the pump asks of the socket that owns it, as symbol-named methods of the socket itself:
// the socket passes itself, so an idle connection keeps no owner object and no closures for it.
/** Application data may be handed to the connection (handshake done, socket not destroyed). */
export const canWrite: unique symbol = Symbol('WritePump.canWrite');
export const isDestroyed: unique symbol = Symbol('WritePump.isDestroyed');
/** The underlying socket still takes writes. */
export const rawWritable: unique symbol = Symbol('WritePump.rawWritable');
/** A failure with no write callback left to report to: fail the socket. */
export const failSocket: unique symbol = Symbol('WritePump.fail');

export interface WritePumpOwner {
  [canWrite](): boolean;
  [isDestroyed](): boolean;
  [rawWritable](): boolean;
  [failSocket](err: Error): void;
}

export class WritePump {
  #pending: Pending | undefined;
  #rawBlocked = false;
  /** Small writes not yet handed to the connection (copied: their callbacks already ran). */
  #stage: Uint8Array | undefined;
  #staged = 0;
  /** Application bytes handed to the connection since the last flush. */
  #unflushed = 0;
  #flushScheduled = false;

  constructor(
    private readonly conn: TlsConnection,
    private readonly raw: Duplex,
    private readonly owner: WritePumpOwner,
  ) {}

  /** No write is in progress (every _write callback ran). */
  get idle(): boolean {
    return this.#pending === undefined;
  }

  /** Application data was taken that is not yet handed to the socket. */
  get hasUnflushed(): boolean {
    return this.#unflushed + this.#staged > 0;
  }

  /** _write / _writev: take these chunks; `cb` runs once all were handed to the connection. */
  start(chunks: Uint8Array[], cb: (err?: Error | null) => void): void {
    this.#pending = { chunks, index: 0, offset: 0, cb };
    this.pump();
  }

  /** The socket drained: go on. */
  drained(): void {
    this.#rawBlocked = false;
    this.pump();
  }

  /** Hand as much of the pending write to the connection as the socket takes. */
  pump(): void {
    const p = this.#pending;
    if (!p || !this.owner[canWrite]()) return;
    for (;;) {
      if (this.#rawBlocked) return; // resumed on 'drain'
      if (p.index >= p.chunks.length) break;
      const c = p.chunks[p.index];
      if (c === undefined) break;
      const left = c.length - p.offset;
      let n = 0;
      if (left > 0) {
        try {
          if (this.#staged === 0 && left >= SMALL_WRITE) {
            // Sealed from the caller's buffer: no copy. A small tail past the last full record
            // (< SMALL_WRITE) is staged instead, so that what is written next shares its record.
            n = Math.min(left, WRITE_SLICE);
            const tail = n % STAGE_BYTES;
            if (n === left && n > STAGE_BYTES && tail < SMALL_WRITE) n -= tail;
            this.conn.write(c.subarray(p.offset, p.offset + n));
            this.#unflushed += n;
          } else {
            // Coalesce: copied now (the caller may reuse its buffer once called back), up to a
            // full record; a full stage is sealed at once.
            n = Math.min(left, STAGE_BYTES - this.#staged);
            const stage = (this.#stage ??= allocUnsafe(STAGE_BYTES));
            stage.set(c.subarray(p.offset, p.offset + n), this.#staged);
            this.#staged += n;
            if (this.#staged === STAGE_BYTES) this.commitStaged();
          }
        } catch (e) {
          this.#pending = undefined;
          p.cb(e as Error);
          return;
        }
      }
      p.offset += n;
      if (p.offset >= c.length) {
        p.index++;
        p.offset = 0;
      }
      if (this.#unflushed + this.#staged >= FLUSH_BYTES) this.flush();
    }
    this.#pending = undefined;
    if (this.#unflushed + this.#staged > 0) this.#scheduleFlush();
    p.cb();
  }

  /**
   * Hand staged application data to the connection. A failure here has no write callback left
   * to report to (they ran when the bytes were staged): the connection's error event reports it.
   */
  commitStaged(): void {
    const n = this.#staged;
    const stage = this.#stage;
    if (n === 0 || stage === undefined) return;
    this.#staged = 0;
    this.#stage = undefined; // the connection may keep a view of it until sealed; a fresh one next time
    try {
      this.conn.write(stage.subarray(0, n));
      this.#unflushed += n;
    } catch (e) {
      if (!this.owner[isDestroyed]()) this.owner[failSocket](e as Error);
    }
  }

  /** Flush at the end of this event-loop turn (what is written meanwhile goes in the same writev). */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (!this.owner[isDestroyed]()) this.flush();
    });
  }

  /** Send what the connection has to say, corked into one write. False when the socket is full. */
  flush(): boolean {
    this.commitStaged();
    this.#unflushed = 0;
    const out = this.conn.takeOutput();
    if (out.length === 0) return !this.#rawBlocked;
    if (!this.owner[rawWritable]()) return true; // dropped: nobody can read it any more
    const raw = this.raw;
    let ok: boolean;
    if (out.length === 1) {
      ok = raw.write(out[0]);
    } else {
      ok = true;
      raw.cork();
      for (const b of out) ok = raw.write(b);
      raw.uncork();
    }
    // write() says false as soon as one batch exceeds the socket's highWaterMark, even when the
    // kernel took it all at once (writableLength back to 0): waiting for 'drain' then costs a
    // round of ticks per batch for nothing. Stop only while the socket really holds a backlog;
    // 'drain' is due then (write() said false).
    if (!ok && raw.writableLength >= RAW_BACKLOG) {
      this.#rawBlocked = true;
      return false;
    }
    return true;
  }
}
