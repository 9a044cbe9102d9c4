// One-line explanations of connection failures: what went wrong and how to fix it.
import { TlsError } from '../errors/errors.js';

interface Target {
  readonly host: string;
  readonly port: number;
  readonly servername: string;
}

const HINTS: Readonly<Record<string, string>> = {
  unknown_ca: "pass the CA that issued the server's certificate with --cacert FILE (or -k to skip verification, insecure)",
  certificate_expired: "the server's certificate is outside its validity dates: renew it, or check this machine's clock",
  bad_certificate: 'the certificate does not fit this connection: check the name you connect to (--servername) or renew the certificate',
  unsupported_certificate: "the server's certificate uses a key or algorithm hush cannot check",
  certificate_unknown: "the server's certificate was rejected: see the reason above",
  handshake_failure: 'client and server share no cipher suite, group or signature scheme: check --ciphers, --groups and the server configuration',
  protocol_version: 'client and server share no TLS version: check --tls-min/--tls-max and the server configuration',
  no_application_protocol: 'the server supports none of the ALPN protocols offered: check --alpn',
  decrypt_error: 'a signature or Finished check failed: the server may be misconfigured, or something altered the traffic',
  bad_record_mac: 'a record failed authentication: something altered the traffic, or the two sides derived different keys',
  illegal_parameter: 'the peer sent a value TLS does not allow here: it is probably buggy or not a TLS server',
  decode_error: 'the peer sent malformed TLS: is this port really speaking TLS?',
  unexpected_message: 'the peer sent a TLS message out of order: it is probably buggy or not a TLS server',
  certificate_required: 'the server requires a client certificate: pass one with --cert FILE --key FILE',
  missing_extension: 'the peer left out a required TLS extension: it is probably an old or buggy implementation',
};

export function explainFailure(err: Error & { code?: string }, target: Target): string {
  const where = `${target.host}:${target.port}`;
  if (err instanceof TlsError) {
    const hint = HINTS[err.alertName];
    const who = err.remote ? 'the server rejected the connection' : 'TLS failed';
    return `${who} (${err.alertName}): ${err.message}${hint ? ` — ${hint}` : ''}`;
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return `nothing is listening on ${where} (connection refused): is the server running, and is the port right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve '${target.host}': check the host name, or use --resolve ${target.host}:${target.port}:ADDRESS`;
    case 'ECONNRESET':
      return `${where} closed the connection abruptly (reset): the server may not speak TLS on this port`;
    case 'ETIMEDOUT':
    case 'ERR_TLS_HANDSHAKE_TIMEOUT':
      return `${where} did not answer in time: check the address and any firewall, or raise --timeout`;
    case 'ERR_TLS_TRUNCATED':
      return `${where} closed the connection without close_notify: the response may be incomplete`;
    default:
      return `${err.message}${err.code ? ` (${err.code})` : ''}`;
  }
}
