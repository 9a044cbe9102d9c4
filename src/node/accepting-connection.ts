// A server TlsConnection whose config is chosen after the ClientHello arrived (SNICallback):
// it feeds the core's Acceptor until the hello is complete, asks `choose` (asynchronously, like
// node's SNICallback) for a config, then continues as the ServerConnection the Acceptor builds.
// The TLSSocket driving it is told to pump again through `onReady`.
// With an external session store (node's 'resumeSession'/'newSession'), the one session this
// ClientHello may resume is fetched first (asynchronously, before the config choice, as in node),
// and the connection's output and events are held while the store confirms a new session.
import type { ConnectionState, TlsConnection } from '../connection/api.js';
import type { ClientHelloInfo } from '../handshake/client-hello-info.js';
import type { ServerConfig } from '../handshake/config.js';
import type { HandshakeInfo } from '../handshake/events.js';
import type { ConnectionEvent } from '../connection/events.js';
import { Acceptor, type Accepted, type AcceptorOptions, type OfferedSessions, type ServerConnection } from '../connection/server.js';
import { checkMaxSendFragment } from '../connection/base.js';
import type { ExternalSessions } from '../handshake/session/external-sessions.js';
import { EXTERNAL_SESSION_ID_LENGTH } from '../handshake/session/external-sessions.js';
import { TlsError, UsageError, internalError, unexpectedMessage } from '../errors/errors.js';
import { equal } from '../bytes/util.js';
import { NODE_TRANSPORT } from './alloc.js';

/** Bytes a client may send while 'newSession' has not called back (then the connection fails). */
export const MAX_HELD_INPUT = 256 * 1024;

export type ChooseConfig = (hello: ClientHelloInfo, done: (err: Error | null, config?: ServerConfig) => void) => void;

/** An application's session store, as node's server events reach it. */
export interface SessionStore {
  /** node's 'resumeSession': the session stored under `id` (null/undefined: none), once. */
  resume(id: Buffer, cb: (err?: Error | null, data?: Uint8Array | null) => void): void;
  /** node's 'newSession': store `data` under `id`; the handshake output waits for `cb`. */
  store(id: Buffer, data: Buffer, cb: () => void): void;
  /** TLS 1.3 tickets are IDs in this store (no ticket keys). */
  readonly statefulTickets: boolean;
  /** The server seals tickets (TLS 1.2 clients that offer one resume by it, without the store). */
  readonly tickets: boolean;
  /** The server may negotiate TLS 1.3. */
  readonly tls13: boolean;
}

/**
 * The ID to ask the store for, or undefined. TLS 1.3 (both sides offer it): a stateful ticket's ID,
 * the first 32-byte PSK identity — not the legacy_session_id, which a TLS 1.3 client fills with
 * random bytes (node asks for it anyway, for nothing). TLS 1.2: the session ID, unless the client
 * offers a ticket we can open (OpenSSL then skips the cache too).
 */
export function sessionLookupId(offered: OfferedSessions, store: SessionStore): Uint8Array | undefined {
  if (offered.offersTls13 && store.tls13) {
    if (!store.statefulTickets) return undefined;
    return offered.pskIdentities.find((id) => id.length === EXTERNAL_SESSION_ID_LENGTH);
  }
  if (offered.sessionId.length === 0) return undefined;
  if (store.tickets && offered.ticket !== undefined && offered.ticket.length > 0) return undefined;
  return offered.sessionId;
}

export class AcceptingConnection implements TlsConnection {
  readonly side = 'server' as const;
  /** Called when the connection has progressed outside receive() (the config was chosen). */
  onReady: () => void = () => {};
  #acceptor: Acceptor;
  #choose: ChooseConfig;
  #inner: ServerConnection | undefined;
  #hello: ClientHelloInfo | undefined;
  #failure: TlsError | undefined;
  #output: Uint8Array[] = [];
  #events: ConnectionEvent[] = [];
  #closeRequested = false;
  /** setMaxSendFragment() before the config was chosen: applied to the connection then. */
  #maxSendFragment: number | undefined;
  #store: SessionStore | undefined;
  /** The session the store returned for this ClientHello. */
  #found: { readonly id: Uint8Array; readonly data: Uint8Array } | undefined;
  /** newSession callbacks not yet called: output and events wait. */
  #unconfirmed = 0;
  /** Inside the core (a store's synchronous callback must not re-enter the socket). */
  #busy = false;
  /** Bytes received while output and events are held: fed to the connection on release. */
  #heldInput: Uint8Array[] = [];
  #heldBytes = 0;
  /** Whether the socket is gone (a late store callback then does nothing). */
  isClosed: () => boolean = () => false;

  constructor(choose: ChooseConfig, limits: AcceptorOptions = {}, store?: SessionStore) {
    this.#choose = choose;
    this.#acceptor = new Acceptor(limits);
    this.#store = store;
  }

  /** The connection's window on the store (see ExternalSessions). */
  #sessions(store: SessionStore): ExternalSessions {
    return {
      statefulTickets: store.statefulTickets,
      get: (id) => (this.#found && equal(this.#found.id, id) ? this.#found.data : undefined),
      put: (id, data) => {
        // Output and events wait (TLS 1.2: our Finished and 'secure', as in node). TLS 1.3's
        // 'secure' waits for its tickets too: node lets it go first, and an application that
        // ends the socket from it then loses the tickets (node sends none).
        this.#unconfirmed++;
        let called = false;
        store.store(Buffer.from(id), Buffer.from(data), () => {
          if (called) return;
          called = true;
          this.#unconfirmed--;
          if (this.#unconfirmed > 0 || this.#failure || this.isClosed()) return;
          this.#release();
          if (!this.#busy) this.onReady();
        });
      },
    };
  }

  /** Output and events wait while the store has not confirmed a new session (unless the connection failed). */
  get #held(): boolean {
    return this.#unconfirmed > 0 && this.#failure === undefined && this.#inner !== undefined && this.#inner.error === undefined;
  }

  /** The store confirmed: the connection reads what arrived meanwhile. */
  #release(): void {
    const input = this.#heldInput;
    this.#heldInput = [];
    this.#heldBytes = 0;
    const inner = this.#inner;
    if (!inner) return;
    const busy = this.#busy;
    this.#busy = true;
    try {
      for (const chunk of input) if (inner.receive(chunk)) break;
    } finally {
      this.#busy = busy;
    }
  }

  /** The config chosen for this connection, once chosen. */
  get config(): ServerConfig | undefined {
    return this.#inner?.config;
  }

  /** The ClientHello, once it arrived. */
  get clientHello(): ClientHelloInfo | undefined {
    return this.#hello;
  }

  #fail(err: TlsError): TlsError {
    this.#failure = err;
    this.#events.push({ type: 'error', error: err });
    return err;
  }

  receive(data: Uint8Array): TlsError | undefined {
    if (this.#inner) {
      if (this.#held) {
        // The peer's bytes wait with our output (a TLS 1.3 client may send data right after its
        // Finished), bounded: a store that does not answer must not make us buffer without end.
        this.#heldBytes += data.length;
        if (this.#heldBytes > MAX_HELD_INPUT) {
          return this.#fail(unexpectedMessage(`the client sent more than ${MAX_HELD_INPUT} bytes while 'newSession' had not called back`));
        }
        this.#heldInput.push(data);
        return undefined;
      }
      this.#busy = true;
      try {
        return this.#inner.receive(data);
      } finally {
        this.#busy = false;
      }
    }
    if (this.#failure) return this.#failure;
    let accepted;
    try {
      accepted = this.#acceptor.receive(data);
    } catch (e) {
      this.#output.push(...this.#acceptor.takeOutput());
      return this.#fail(e instanceof TlsError ? e : internalError(String(e), e));
    }
    if (!accepted || this.#hello) return undefined;
    this.#hello = accepted.clientHello;
    const store = this.#store;
    const id = store ? sessionLookupId(accepted.offeredSessions, store) : undefined;
    if (!store || !id) {
      this.#chooseConfig(accepted, false);
      return this.#failure;
    }
    // node: resumeSession(id, cb) before the handshake goes on; cb(err) fails this connection,
    // cb(null, data) resumes when the data is a session of ours, anything else is a full handshake.
    // The client may send at most the Acceptor's bound meanwhile. A second or late call is ignored.
    let called = false;
    let sync = true;
    store.resume(Buffer.from(id), (err, data) => {
      if (called || this.#failure || this.isClosed()) return;
      called = true;
      if (err) {
        this.#fail(internalError(`resumeSession failed: ${err instanceof Error ? err.message : String(err)}`, err));
        if (!sync) this.onReady();
        return;
      }
      if (data instanceof Uint8Array && data.length > 0) this.#found = { id, data: new Uint8Array(data) };
      this.#chooseConfig(accepted, !sync);
    });
    sync = false;
    return this.#failure;
  }

  /** Ask for the config (SNICallback), then continue as the core's ServerConnection. */
  #chooseConfig(accepted: Accepted, notify: boolean): void {
    let called = false;
    let sync = true;
    this.#choose(accepted.clientHello, (err, config) => {
      if (called || this.#failure || this.isClosed()) return;
      called = true;
      if (err || !config) {
        // No alert can be sent from here (the core owns record encoding): the socket closes.
        this.#fail(err instanceof TlsError ? err : internalError(`SNICallback failed: ${err ? err.message : 'no context'}`, err));
      } else {
        this.#busy = true;
        try {
          const options = this.#store ? { sessions: this.#sessions(this.#store) } : {};
          const inner = accepted.intoConnection(config, NODE_TRANSPORT, options);
          this.#inner = inner;
          if (this.#maxSendFragment !== undefined) inner.setMaxSendFragment(this.#maxSendFragment);
          if (this.#closeRequested) inner.close();
        } catch (e) {
          this.#fail(e instanceof TlsError ? e : internalError(`cannot start the server connection: ${(e as Error).message}`, e));
        } finally {
          this.#busy = false;
        }
      }
      if (notify || !sync) this.onReady();
    });
    sync = false;
  }

  takeOutput(): Uint8Array[] {
    const mine = this.#output;
    this.#output = [];
    return this.#inner && !this.#held ? [...mine, ...this.#inner.takeOutput()] : mine;
  }

  get wantsWrite(): boolean {
    return this.#output.length > 0 || (!this.#held && (this.#inner?.wantsWrite ?? false));
  }

  takeEvents(): ConnectionEvent[] {
    const mine = this.#events;
    this.#events = [];
    // The looked-up session (it holds a secret) is not needed once the handshake is over.
    if (this.#found && this.#inner?.state !== 'handshaking') this.#found = undefined;
    return this.#inner && !this.#held ? [...mine, ...this.#inner.takeEvents()] : mine;
  }

  write(data: Uint8Array): void {
    if (!this.#inner) throw new UsageError('cannot write before the server handshake started');
    this.#inner.write(data);
  }

  close(): void {
    if (this.#inner) this.#inner.close();
    else this.#closeRequested = true;
  }

  setMaxSendFragment(max: number): void {
    checkMaxSendFragment(max);
    if (this.#inner) this.#inner.setMaxSendFragment(max);
    else this.#maxSendFragment = max;
  }

  updateKeys(requestPeer?: boolean): void {
    if (!this.#inner) throw new UsageError('cannot update keys before the handshake');
    this.#inner.updateKeys(requestPeer);
  }

  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    if (!this.#inner) throw new UsageError('exportKeyingMaterial() before the handshake completed');
    return this.#inner.exportKeyingMaterial(length, label, context);
  }

  get state(): ConnectionState {
    if (this.#failure) return 'failed';
    return this.#inner?.state ?? 'handshaking';
  }

  get handshakeInfo(): HandshakeInfo | undefined {
    return this.#inner?.handshakeInfo;
  }

  get error(): TlsError | undefined {
    return this.#failure ?? this.#inner?.error;
  }

  get peerClosed(): boolean {
    return this.#inner?.peerClosed ?? false;
  }
}
