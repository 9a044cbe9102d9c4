// Stopping `hush serve`. First Ctrl+C (SIGINT or SIGTERM): stop accepting, close idle keep-alive
// connections (HTTP/1.1 at once, HTTP/2 with GOAWAY), let requests in flight finish for at most
// GRACE_MS, then close whatever is left. Second signal: exit at once (128 + signal number).
// Without this a browser's idle keep-alive connection kept the process alive for minutes.
import type { Server as NetServer, Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Http2Session } from 'node:http2';

/** How long requests in flight may take to finish after the first signal. */
export const GRACE_MS = 3000;

export class Lifecycle {
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  #stopping = false;
  #onEmpty: (() => void) | undefined;

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Every raw connection a listener accepted. */
  trackSocket(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      if (this.#sockets.size === 0) this.#onEmpty?.();
    });
  }

  trackSession(session: Http2Session): void {
    this.#sessions.add(session);
    session.once('close', () => this.#sessions.delete(session));
    if (this.#stopping) session.close();
  }

  /**
   * Stop gracefully: resolves once every connection closed, or GRACE_MS after the call (then
   * every connection left is destroyed); with the number of connections that had to be cut.
   */
  stop(listeners: readonly (NetServer | undefined)[], http1: HttpServer): Promise<number> {
    this.#stopping = true;
    for (const l of listeners) if (l?.listening) l.close();
    http1.closeIdleConnections();
    for (const s of this.#sessions) s.close();
    return new Promise((done) => {
      const finish = (): void => {
        clearTimeout(timer);
        clearInterval(idle);
        this.#onEmpty = undefined;
        const cut = this.#sockets.size;
        for (const s of this.#sockets) s.destroy();
        done(cut);
      };
      const timer = setTimeout(finish, GRACE_MS);
      // A keep-alive connection becomes idle once its last response went out: close it then.
      const idle = setInterval(() => http1.closeIdleConnections(), 100);
      this.#onEmpty = finish;
      if (this.#sockets.size === 0) finish();
    });
  }
}

/** Call `first` on the first SIGINT/SIGTERM, and exit at once on the second. */
export function onStopSignals(first: (signal: NodeJS.Signals) => void): void {
  let seen = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (seen) {
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    seen = true;
    first(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
