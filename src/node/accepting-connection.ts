// A server TlsConnection whose config is chosen after the ClientHello arrived (SNICallback):
// it feeds the core's Acceptor until the hello is complete, asks `choose` (asynchronously, like
// node's SNICallback) for a config, then continues as the ServerConnection the Acceptor builds.
// The TLSSocket driving it is told to pump again through `onReady`.
import type { ConnectionState, TlsConnection } from '../connection/api.js';
import type { ClientHelloInfo } from '../handshake/client-hello-info.js';
import type { ServerConfig } from '../handshake/config.js';
import type { HandshakeInfo } from '../handshake/events.js';
import type { ConnectionEvent } from '../connection/events.js';
import { Acceptor, type AcceptorOptions, type ServerConnection } from '../connection/server.js';
import { checkMaxSendFragment } from '../connection/base.js';
import { TlsError, UsageError, internalError } from '../errors/errors.js';
import { NODE_TRANSPORT } from './alloc.js';

export type ChooseConfig = (hello: ClientHelloInfo, done: (err: Error | null, config?: ServerConfig) => void) => void;

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

  constructor(choose: ChooseConfig, limits: AcceptorOptions = {}) {
    this.#choose = choose;
    this.#acceptor = new Acceptor(limits);
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
    if (this.#inner) return this.#inner.receive(data);
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
    let called = false;
    this.#choose(accepted.clientHello, (err, config) => {
      if (called || this.#failure) return;
      called = true;
      if (err || !config) {
        // No alert can be sent from here (the core owns record encoding): the socket closes.
        this.#fail(err instanceof TlsError ? err : internalError(`SNICallback failed: ${err ? err.message : 'no context'}`, err));
      } else {
        try {
          const inner = accepted.intoConnection(config, NODE_TRANSPORT);
          this.#inner = inner;
          if (this.#maxSendFragment !== undefined) inner.setMaxSendFragment(this.#maxSendFragment);
          if (this.#closeRequested) inner.close();
        } catch (e) {
          this.#fail(e instanceof TlsError ? e : internalError(`cannot start the server connection: ${(e as Error).message}`, e));
        }
      }
      this.onReady();
    });
    return this.#failure;
  }

  takeOutput(): Uint8Array[] {
    const mine = this.#output;
    this.#output = [];
    return this.#inner ? [...mine, ...this.#inner.takeOutput()] : mine;
  }

  get wantsWrite(): boolean {
    return this.#output.length > 0 || (this.#inner?.wantsWrite ?? false);
  }

  takeEvents(): ConnectionEvent[] {
    const mine = this.#events;
    this.#events = [];
    return this.#inner ? [...mine, ...this.#inner.takeEvents()] : mine;
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
