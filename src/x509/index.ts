// hush/x509 (portable entry): certificate parsing, path validation, hostname checks, trust
// stores and a certificate builder. Signatures need a CryptoProvider passed in; the Node entry
// (src/node/x509.ts) defaults it to node:crypto.
export * from './oids.js';
export * from './name.js';
export * from './ip.js';
export * from './general-name.js';
export * from './algorithm.js';
export * from './spki.js';
export * from './extensions.js';
export * from './certificate.js';
export * from './hostname.js';
export * from './name-constraints.js';
export * from './trust-store.js';
export * from './verify-error.js';
export * from './profile.js';
export { certificateRuleError, rsaModulusBits, type CertificateRole, type RuleContext } from './webpki-rules.js';
export { isPublicSuffix } from './public-suffix.js';
export * from './verify.js';
export * from './builder.js';
export * from './crl.js';
export * from './ocsp.js';
export * from './revocation.js';
export * from './revocation-builder.js';
