// `hush verify`: validate a certificate chain the way a hush TLS client would, print one JSON object.
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors/errors.js';
import { defaultTrustStore, trustStoreFromFiles } from '../../node/trust.js';
import { verifyResultToJSON, verifyServerChain } from '../../node/x509.js';
import type { KeyUsageName } from '../../x509/extensions.js';
import { PROFILES, type VerifyProfile } from '../../x509/profile.js';
import { CERT_SIGNATURE_ALGORITHMS, type CertSignatureAlgorithm, type Purpose } from '../../x509/verify.js';
import { ArgError, bool, helpText, list, parseArgs, str, type FlagSpec, type ParsedArgs } from '../args.js';
import type { RevocationOptions } from '../../x509/revocation.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'cafile', type: 'list', value: 'ROOTS.pem', help: "trust the CA certificates in this PEM file (repeatable; default: Node's bundled Mozilla roots)" },
  { name: 'host', type: 'string', value: 'NAME', help: 'the DNS name or IP address the certificate must be valid for' },
  { name: 'at', type: 'string', value: 'ISO-TIME', help: 'validate at this time instead of now, e.g. 2019-01-01T00:00:00Z' },
  { name: 'purpose', type: 'string', value: 'serverAuth|clientAuth', help: 'what the certificate is for (default serverAuth)' },
  { name: 'profile', type: 'string', value: 'webpki|rfc5280', help: 'validation rules: webpki (default for serverAuth) or rfc5280 (private PKIs; default for clientAuth)' },
  { name: 'max-depth', type: 'string', value: 'N', help: 'at most N certificates in a path, leaf and root included (default 8, at most 32)' },
  { name: 'signature-algorithm', type: 'list', value: 'NAME', help: `allow only these signatures on the path (repeatable): ${CERT_SIGNATURE_ALGORITHMS.join(', ')}` },
  { name: 'key-usage', type: 'list', value: 'BIT', help: 'require this keyUsage bit on the leaf (repeatable), e.g. digitalSignature' },
  { name: 'eku', type: 'list', value: 'NAME|OID', help: 'require this extended key usage on the leaf besides the purpose (repeatable), e.g. codeSigning' },
  // Revocation (#15)
  { name: 'crl', type: 'list', value: 'FILE', help: 'check the path against the CRLs in this file (PEM or DER; repeatable)' },
  { name: 'crl-check', type: 'string', value: 'none|leaf|chain', help: 'which certificates must have a usable CRL (default none: check those the CRLs cover; leaf = openssl -crl_check, chain = -crl_check_all)' },
  { name: 'ocsp', type: 'string', value: 'FILE', help: "an OCSP response (DER) for the leaf, e.g. from 'openssl ocsp -respout': it must verify; revoked fails" },
  { name: 'ocsp-unknown', type: 'string', value: 'reject|allow', help: "how to treat an OCSP status of 'unknown' (default reject)" },
  { name: 'must-staple', type: 'boolean', help: 'enforce RFC 7633 must-staple: a leaf that requires a stapled response fails without a valid --ocsp' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const USAGE = 'hush verify --cafile ROOTS.pem --host NAME [--at ISO-TIME] [--profile webpki|rfc5280] LEAF.pem [INTERMEDIATES.pem ...]';

const DESCRIPTION = `Checks a certificate chain as a TLS client would: a path from the leaf through the
intermediates to a trusted root, every signature, validity dates, CA constraints, key usages, name
constraints, and that the leaf names the host (subjectAltName only, no common-name fallback).
LEAF.pem may also contain the intermediates after the leaf; their order does not matter.

Profiles (--profile):
  webpki   RFC 5280 plus the CA/Browser Forum Baseline Requirements for publicly trusted TLS
           certificates: key identifiers, critical basicConstraints on CAs, an extendedKeyUsage on
           the leaf (no anyExtendedKeyUsage, not critical) and none on roots, the leaf's common
           name among its SANs (IP forms canonical), valid DNS SANs, no wildcard on a public suffix
           ('*.co.uk'), serial numbers 1..20 octets, RSA keys of at least 2048 bits (a multiple of
           8), P-256/384/521 only, no DSA, well-formed authorityInfoAccess. Roots from Node's
           bundled store are not re-checked for these (their root program vetted them); roots
           given with --cafile are. The default for serverAuth.
  rfc5280  RFC 5280 only (private PKIs; the default for clientAuth): path, signatures, validity,
           cA and pathLen, keyUsage, name constraints, critical extensions, and the RFC 5280 MUSTs
           that validation reads (name constraints critical and only in CAs, authorityKeyIdentifier
           and policyConstraints criticality, SAN critical for an empty subject, serial numbers
           positive and at most 20 octets).
Both: name constraints bind every certificate below the CA (SANs and subject, intermediates too;
a wildcard must be allowed for every name it can match); SHA-1 and MD5 signatures are refused;
the leaf's keyUsage, when present, must allow TLS (RFC 8446 §4.4.2.2: digitalSignature;
keyEncipherment is enough for an RSA TLS 1.2 server key).

Not checked: Certificate Transparency, certificate policies
(certificatePolicies and policyConstraints are read, no policy tree is built; a
critical inhibitAnyPolicy or policyMappings is refused as unsupported), rfc822Name/URI/otherName constraints (a certificate with such a name under such a
constraint is refused instead), the common name as a host name (never used, RFC 9525).

Revocation: with --crl, every certificate of the path below the root is checked against the CRLs
whose issuer is its issuer (same name, and key identifier when the CRL has one) and whose scope
(issuingDistributionPoint) covers it. Such a CRL must be signed by that issuer (with cRLSign when
it has keyUsage) and current (thisUpdate..nextUpdate, 5 minutes of clock skew), or the chain fails
(check "crl"). A listed serial fails with check "revoked", alert certificate_revoked, and the
revocation date and reason in the error. With --ocsp the response must be signed by the leaf's
issuer or a responder it delegated (extendedKeyUsage OCSPSigning), name the leaf's CertID, and be
current; 'revoked' fails, 'unknown' fails unless --ocsp-unknown allow.
Not checked: delta CRLs and indirect CRLs (refused as unsupported), CRLs for the trusted root
itself, revocation of a delegated OCSP responder, fetching CRLs or OCSP responses over the network
(give them as files; hush serve --ocsp-fetch fetches staples).


Prints one JSON object: { "ok": true|false, "error": null|{alert, code, check, reason, message,
certificate}, "chain": [subjects, leaf first] }. "reason" is the stable code of the rule that
failed (e.g. nameConstraintsWildcard, extKeyUsageMissing). On failure "chain" is the path on which
the check failed.

Example:
  hush verify --cafile ca.pem --host www.example.com server.pem intermediates.pem
  hush verify --cafile ca.pem --host 127.0.0.1 --at 2025-06-01T00:00:00Z fullchain.pem
  hush verify --cafile ca.pem --host www.example.com --crl inter.crl --crl root.crl --crl-check chain fullchain.pem
  hush verify --cafile corp-ca.pem --profile rfc5280 --host intranet.corp server.pem

Exit status: 0 when the chain is valid, 1 when it is not, 2 for bad arguments or unreadable files.`;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ArgError(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseTime(s: string): Date {
  // ISO 8601 date or date-time; a time without a zone is read as UTC.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    throw new ArgError(`--at takes an ISO time like 2019-01-01T00:00:00Z, not '${s}'`);
  }
  const iso = /T|\s/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s.replace(' ', 'T') + 'Z' : s;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new ArgError(`--at: '${s}' is not a valid time`);
  return d;
}

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new ArgError(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** --crl, --crl-check, --ocsp, --ocsp-unknown, --must-staple → RevocationOptions (#15). */
function revocationFlags(p: ParsedArgs): RevocationOptions {
  const crlCheck = str(p, 'crl-check');
  if (crlCheck !== undefined && crlCheck !== 'none' && crlCheck !== 'leaf' && crlCheck !== 'chain') {
    throw new ArgError(`--crl-check takes none, leaf or chain, not '${crlCheck}'`);
  }
  const unknown = str(p, 'ocsp-unknown');
  if (unknown !== undefined && unknown !== 'reject' && unknown !== 'allow') throw new ArgError(`--ocsp-unknown takes reject or allow, not '${unknown}'`);
  const ocsp = str(p, 'ocsp');
  return {
    crls: list(p, 'crl').map(readBytes),
    ...(crlCheck ? { crlCheck } : {}),
    ...(ocsp !== undefined ? { ocspResponse: readBytes(ocsp) } : {}),
    ...(unknown ? { ocspUnknown: unknown } : {}),
    ...(bool(p, 'must-staple') ? { enforceMustStaple: true } : {}),
  };
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a certificate chain against trusted roots and a host name (JSON result)',
  async run(args) {
    try {
      const p = parseArgs(args, FLAGS);
      if (bool(p, 'help')) {
        console.log(helpText(USAGE, DESCRIPTION, FLAGS));
        return 0;
      }
      const purpose = (str(p, 'purpose') ?? 'serverAuth') as Purpose;
      if (purpose !== 'serverAuth' && purpose !== 'clientAuth') throw new ArgError(`--purpose takes serverAuth or clientAuth, not '${purpose}'`);
      const host = str(p, 'host');
      if (host === undefined && purpose === 'serverAuth') throw new ArgError('--host NAME is required (the name the server certificate must be valid for)');
      if (p.positional.length === 0) throw new ArgError('give the leaf certificate file (LEAF.pem)');
      const [leafFile, ...rest] = p.positional;
      const leaf = readText(leafFile!);
      const intermediates = rest.map(readText);
      const cafiles = list(p, 'cafile');
      const roots = cafiles.length ? trustStoreFromFiles(...cafiles) : defaultTrustStore();
      const atText = str(p, 'at');
      const at = atText === undefined ? new Date() : parseTime(atText);
      const profile = str(p, 'profile');
      if (profile !== undefined && !(PROFILES as readonly string[]).includes(profile)) {
        throw new ArgError(`--profile takes ${PROFILES.join(' or ')}, not '${profile}'`);
      }
      const depthText = str(p, 'max-depth');
      const maxDepth = depthText === undefined ? undefined : Number(depthText);
      if (maxDepth !== undefined && (!/^[0-9]+$/.test(depthText!) || maxDepth < 1 || maxDepth > 32)) {
        throw new ArgError(`--max-depth takes a number from 1 to 32, not '${depthText}'`);
      }
      const sigs = list(p, 'signature-algorithm');
      const result = verifyServerChain({
        leaf,
        intermediates,
        roots,
        hostname: host ?? null,
        at,
        purpose,
        ...(profile !== undefined ? { profile: profile as VerifyProfile } : {}),
        ...(maxDepth !== undefined ? { maxDepth } : {}),
        ...(sigs.length ? { signatureAlgorithms: sigs as CertSignatureAlgorithm[] } : {}),
        requiredKeyUsage: list(p, 'key-usage') as KeyUsageName[],
        requiredExtKeyUsage: list(p, 'eku'),
        ...revocationFlags(p),
      });
      console.log(JSON.stringify(verifyResultToJSON(result), null, 2));
      return result.ok ? 0 : 1;
    } catch (e) {
      if (e instanceof ArgError || e instanceof UsageError) {
        console.error(`hush verify: ${e.message}\n\nUsage: ${USAGE}\nRun 'hush verify --help' for details.`);
        return 2;
      }
      throw e;
    }
  },
};
