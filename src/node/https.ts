// createHttpsServer(): ordinary node:http handlers served over hush. A hush TLS server accepts
// and handshakes; each secure socket is handed to a node:http Server as a 'connection'.
//
//   const server = createHttpsServer({ key, cert }, (req, res) => res.end('hi'));
//   server.listen(8443, '127.0.0.1');
import http from 'node:http';
import { Server, type ServerOptions } from './server.js';
import type { TLSSocket } from './socket.js';

export interface HttpsServerOptions extends ServerOptions {
  /** Options for the node:http Server (timeouts, maxHeaderSize, ...). */
  http?: http.ServerOptions;
}

export class HttpsServer extends Server {
  /** The node:http Server that parses requests on hush sockets. */
  readonly httpServer: http.Server;

  constructor(options: HttpsServerOptions, requestListener?: http.RequestListener) {
    const { http: httpOptions, ...tlsOptions } = options;
    super({ ALPNProtocols: tlsOptions.ALPNCallback ? undefined : ['http/1.1'], ...tlsOptions });
    this.httpServer = http.createServer(httpOptions ?? {}, requestListener);
    this.on('secureConnection', (socket: TLSSocket) => this.httpServer.emit('connection', socket));
    // 'request' is forwarded for convenience; for 'upgrade', 'checkContinue', 'clientError' listen
    // on httpServer (forwarding them would switch off node:http's default handling).
    this.httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.emit('request', req, res));
  }

  /** Stop accepting, close idle keep-alive connections, and call `cb` once every connection ended. */
  override close(cb?: (err?: Error) => void): this {
    super.close(cb);
    this.httpServer.closeIdleConnections();
    return this;
  }

  /** Destroy every open connection (after close()). */
  closeAllConnections(): void {
    this.httpServer.closeAllConnections();
  }
}

/** An HTTPS server running node:http handlers over hush. Offers ALPN 'http/1.1' unless told otherwise. */
export function createHttpsServer(options: HttpsServerOptions, requestListener?: http.RequestListener): HttpsServer {
  return new HttpsServer(options, requestListener);
}
