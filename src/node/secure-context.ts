// createSecureContext(): node's SecureContext reduced to what hush uses per server name — the
// certificates (with keys) and the CAs for client certificates. SNICallback hands one back.
import type { CertifiedKey } from '../handshake/config.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { nodeCryptoProvider } from '../crypto/node/index.js';
import type { TrustStore } from '../x509/trust-store.js';
import { refuseOptions, toCertifiedKeys, toTrustStore, type KeyInput, type PemInput } from './options.js';
import { pfxCertifiedKeys, type PfxInput } from './pkcs12.js';

export interface SecureContextOptions {
  key?: KeyInput;
  cert?: PemInput;
  passphrase?: string;
  /** PKCS#12 files (key and certificates), like node's; `passphrase` unlocks them unless an entry has its own. */
  pfx?: PfxInput;
  /** CAs for client certificates (servers) or for the server's chain (clients). */
  ca?: PemInput;
  provider?: CryptoProvider;
}

const REFUSED: Readonly<Record<string, string>> = {
  crl: '',
  dhparam: 'hush uses ECDHE only',
  secureOptions: 'pass it to createServer() or connect(), which honour the version bits',
  secureProtocol: 'pass it to createServer() or connect(), which map it to minVersion/maxVersion',
  privateKeyEngine: 'use key',
  privateKeyIdentifier: 'use key',
  clientCertEngine: '',
};

export class SecureContext {
  readonly certificates: readonly CertifiedKey[];
  readonly trust: TrustStore | undefined;
  /** node code reads `ctx.context`; here it is the context itself. */
  readonly context: this = this;

  constructor(certificates: readonly CertifiedKey[], trust: TrustStore | undefined) {
    this.certificates = certificates;
    this.trust = trust;
  }
}

/** Parse key/cert/ca once, to return from an SNICallback or pass as a server's `secureContext`. */
export function createSecureContext(options: SecureContextOptions = {}): SecureContext {
  refuseOptions(options, REFUSED, 'createSecureContext()');
  const provider = options.provider ?? nodeCryptoProvider;
  // Like node: key/cert first, then the pfx files.
  const certificates = [
    ...toCertifiedKeys(provider, options.cert, options.key, options.passphrase),
    ...pfxCertifiedKeys(provider, options.pfx, options.passphrase),
  ];
  return new SecureContext(certificates, options.ca === undefined ? undefined : toTrustStore(options.ca));
}
