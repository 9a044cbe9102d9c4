// hush/x509 for Node: everything from the portable entry, with `provider` defaulting to the
// node:crypto provider and `at` to the current time in verifyServerChain, and `roots` to Node's
// bundled Mozilla roots.
import { nodeCryptoProvider } from '../crypto/node/index.js';
import type { CryptoProvider } from '../crypto/provider.js';
import {
  issueCertificate as issuePortable,
  verifyClientChain as verifyClientPortable,
  verifyServerChain as verifyPortable,
  type IssueCertificateOptions,
  type IssuedCertificate,
  type VerifyChainOptions,
  type VerifyResult,
} from '../x509/index.js';
import { defaultTrustStore } from './trust.js';

export * from '../x509/index.js';
export { defaultTrustStore, systemTrustStore, trustStoreFromFiles, SYSTEM_BUNDLE_PATHS } from './trust.js';

export type NodeVerifyChainOptions = Omit<VerifyChainOptions, 'provider' | 'at' | 'roots'> & {
  readonly provider?: CryptoProvider;
  /** Default: now. */
  readonly at?: Date | number;
  /** Default: Node's bundled Mozilla roots. */
  readonly roots?: VerifyChainOptions['roots'];
};

export function verifyServerChain(opts: NodeVerifyChainOptions): VerifyResult {
  return verifyPortable({
    ...opts,
    provider: opts.provider ?? nodeCryptoProvider,
    at: opts.at ?? new Date(),
    roots: opts.roots ?? defaultTrustStore(),
  });
}

/** verifyClientChain with the same defaults (provider, now, Node's bundled roots). */
export function verifyClientChain(opts: Omit<NodeVerifyChainOptions, 'hostname' | 'purpose'>): VerifyResult {
  return verifyClientPortable({
    ...opts,
    provider: opts.provider ?? nodeCryptoProvider,
    at: opts.at ?? new Date(),
    roots: opts.roots ?? defaultTrustStore(),
  });
}

export function issueCertificate(opts: Omit<IssueCertificateOptions, 'provider'> & { readonly provider?: CryptoProvider }): IssuedCertificate {
  return issuePortable({ ...opts, provider: opts.provider ?? nodeCryptoProvider });
}
