// Name constraints (RFC 5280 §4.2.1.10, §6.1.3(b)(c), §6.1.4(g)).
//
// A CA's constraints apply to every certificate below it on the path — intermediates included —
// except self-issued intermediates (§6.1.3(b)): their subjectAltName entries and their subject
// name (as a directoryName, and its emailAddress attributes as rfc822Names). Evaluated forms:
// dNSName, iPAddress and directoryName. A constraint of another form (rfc822Name, URI,
// otherName...) is enforced by refusing certificates below it that carry a name of that form,
// since hush cannot evaluate them. The subject common name is never a DNS name to hush (it never
// matches on it), so it is not checked against DNS constraints.
//
// Wildcard SANs: "*.example.com" stands for every name "x.example.com" it can match, so it must
// be inside a permitted subtree and outside every excluded subtree for all of them: under an
// excluded "bar.example.com" it is refused (the CVE-2025-61727 class of bug).
//
// Bounded: names × constraints over the whole path is counted before anything is compared;
// above MAX_NC_COMPARISONS the path fails at once.
import { equal } from '../bytes/util.js';
import type { Certificate } from './certificate.js';
import type { NameConstraints } from './extensions.js';
import type { GeneralName } from './general-name.js';
import type { Name } from './name.js';
import { OID } from './oids.js';
import type { VerifyRule } from './verify-error.js';

export const MAX_NC_COMPARISONS = 65_536;

/** The emailAddress attribute of a distinguished name (PKCS #9). */
const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

export interface NameConstraintFailure {
  readonly rule: VerifyRule;
  /** A sentence without the CA's name: "excludes DNS name 'a.example' (excluded subtree 'example')". */
  readonly text: string;
  /** For a name that failed a subtree: which kind (OpenSSL reports the two apart). */
  readonly subtree?: 'excluded' | 'permitted';
}

function lower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * §4.2.1.10: "host.example.com" is satisfied by the name and by any subdomain; an empty
 * constraint by every name. (A leading dot, ".example.com", is accepted here as "subdomains
 * only" for callers of this function; in a certificate such a dNSName constraint is malformed
 * and refused, see dnsConstraintValid.)
 */
export function dnsInSubtree(name: string, constraint: string): boolean {
  let n = lower(name);
  let c = lower(constraint);
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (c.endsWith('.')) c = c.slice(0, -1);
  if (c === '') return true;
  if (c.startsWith('.')) return n.length > c.length && n.endsWith(c);
  return n === c || (n.length > c.length && n.endsWith('.' + c));
}

const LDH_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS name in preferred name syntax (RFC 1034 §3.5, RFC 5280 §4.2.1.6), optionally "*." + name. */
export function validDnsName(name: string, allowWildcard: boolean): boolean {
  let n = lower(name);
  if (allowWildcard && n.startsWith('*.')) n = n.slice(2);
  if (n.length === 0 || n.length > 253) return false;
  return n.split('.').every((l) => LDH_LABEL.test(l));
}

/** A dNSName constraint: empty (every name) or a DNS name; no leading period, no wildcard. */
export function dnsConstraintValid(c: string): boolean {
  return c === '' || validDnsName(c, false);
}

/** The constraint is address || mask (8 or 32 octets); the name is 4 or 16 octets. */
export function ipInSubtree(addr: Uint8Array, constraint: Uint8Array): boolean {
  const n = addr.length;
  if (constraint.length !== 2 * n) return false; // other address family
  for (let i = 0; i < n; i++) {
    const m = constraint[n + i]!;
    if ((addr[i]! & m) !== (constraint[i]! & m)) return false;
  }
  return true;
}

/** A mask must be a run of ones then zeros (a CIDR prefix). */
export function validIpConstraint(c: Uint8Array): boolean {
  if (c.length !== 8 && c.length !== 32) return false;
  let zero = false;
  for (let i = c.length / 2; i < c.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = (c[i]! >> bit) & 1;
      if (one && zero) return false;
      if (!one) zero = true;
    }
  }
  return true;
}

function normalizeValue(v: string): string {
  return lower(v.trim().replace(/\s+/g, ' '));
}

/** §4.2.1.10 directoryName: the constraint's RDNs are the first RDNs of the name. */
export function dirNameInSubtree(name: Name, constraint: Name): boolean {
  if (constraint.rdns.length > name.rdns.length) return false;
  for (let i = 0; i < constraint.rdns.length; i++) {
    const a = constraint.rdns[i]!;
    const b = name.rdns[i]!;
    if (a.length !== b.length) return false;
    for (const atv of a) {
      if (!b.some((x) => x.type === atv.type && normalizeValue(x.value) === normalizeValue(atv.value))) return false;
    }
  }
  return true;
}

/** "*.B" may match a name in `c`'s subtree: when B is inside it, or `c` is one label above B. */
function wildcardMayMatch(base: string, c: string): boolean {
  if (dnsInSubtree(base, c)) return true;
  const cl = lower(c);
  const suffix = '.' + lower(base);
  return cl.endsWith(suffix) && !cl.slice(0, -suffix.length).includes('.');
}

function label(n: GeneralName): string {
  switch (n.type) {
    case 'dns':
      return `DNS name '${n.value}'`;
    case 'ip':
      return `IP address ${n.text}`;
    case 'directoryName':
      return `directory name '${n.name.text}'`;
    default:
      return `${n.type} name`;
  }
}

function formatV6(b: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return g.join(':');
}

function subtreeText(n: GeneralName): string {
  if (n.type === 'dns') return `'${n.value}'`;
  if (n.type === 'directoryName') return `'${n.name.text}'`;
  if (n.type === 'ip') {
    const half = n.bytes.length / 2;
    let bits = 0;
    for (let i = half; i < n.bytes.length; i++) for (let b = 7; b >= 0; b--) bits += (n.bytes[i]! >> b) & 1;
    const addr = n.bytes.subarray(0, half);
    return half === 4 ? `${Array.from(addr).join('.')}/${bits}` : `${formatV6(addr)}/${bits}`;
  }
  return n.type;
}

/** The malformed constraint of `nc`, if any. */
export function malformedConstraint(nc: NameConstraints): string | undefined {
  for (const sub of [...nc.permitted, ...nc.excluded]) {
    if (sub.type === 'ip' && !validIpConstraint(sub.bytes)) return 'has a malformed iPAddress name constraint (not an address and CIDR mask)';
    if (sub.type === 'dns' && !dnsConstraintValid(sub.value)) {
      return `has a malformed dNSName constraint '${sub.value}' (RFC 5280 §4.2.1.10: a DNS name, without a leading period or wildcard)`;
    }
  }
  return undefined;
}

/** The names a certificate presents to name constraints: its SANs, then its subject. */
export function constrainedNames(c: Certificate): GeneralName[] {
  const out: GeneralName[] = [...(c.subjectAltName ?? [])];
  if (c.subject.rdns.length > 0) {
    out.push({ type: 'directoryName', name: c.subject });
    // §4.2.1.10: emailAddress attributes of the subject are rfc822Names too.
    for (const rdn of c.subject.rdns) for (const a of rdn) if (a.type === EMAIL_ADDRESS) out.push({ type: 'email', value: a.value });
  }
  return out;
}

function subtreeMatch(name: GeneralName, sub: GeneralName, excluded: boolean): boolean {
  if (name.type === 'dns' && sub.type === 'dns') {
    if (name.value.startsWith('*.')) {
      const base = name.value.slice(2);
      return excluded ? wildcardMayMatch(base, sub.value) : dnsInSubtree(base, sub.value);
    }
    return dnsInSubtree(name.value, sub.value);
  }
  if (name.type === 'ip' && sub.type === 'ip') return ipInSubtree(name.bytes, sub.bytes);
  if (name.type === 'directoryName' && sub.type === 'directoryName') return dirNameInSubtree(name.name, sub.name);
  return false;
}

/**
 * Check `names` (of one certificate below the CA) against the CA's constraints. Returns undefined
 * when they satisfy them, else the failed rule and a sentence naming the offending name.
 */
export function checkNames(names: readonly GeneralName[], nc: NameConstraints): NameConstraintFailure | undefined {
  const malformed = malformedConstraint(nc);
  if (malformed) return { rule: 'nameConstraintsMalformed', text: malformed };
  const all = [...nc.permitted, ...nc.excluded];
  for (const sub of all) {
    if (sub.type === 'dns' || sub.type === 'ip' || sub.type === 'directoryName') continue;
    if (names.some((n) => n.type === sub.type)) {
      return { rule: 'nameConstraintsUnsupportedForm', text: `constrains ${sub.type} names, which hush cannot check, and the certificate has one` };
    }
  }
  const dnsConstrained = all.some((s) => s.type === 'dns');
  const ipConstrained = all.some((s) => s.type === 'ip');
  for (const name of names) {
    if (name.type === 'dns' && dnsConstrained && !validDnsName(name.value, true)) {
      return { rule: 'nameConstraintsInvalidName', text: `constrains DNS names and the certificate's DNS name '${name.value}' is not a valid DNS name` };
    }
    if (name.type === 'ip' && ipConstrained && name.bytes.length !== 4 && name.bytes.length !== 16) {
      return { rule: 'nameConstraintsInvalidName', text: `constrains IP addresses and the certificate has an iPAddress of ${name.bytes.length} octets` };
    }
    if (name.type !== 'dns' && name.type !== 'ip' && name.type !== 'directoryName') continue;
    const wildcard = name.type === 'dns' && name.value.startsWith('*.');
    for (const ex of nc.excluded) {
      if (subtreeMatch(name, ex, true)) {
        return wildcard
          ? { rule: 'nameConstraintsWildcard', subtree: 'excluded', text: `excludes names that the wildcard ${label(name)} can match (excluded subtree ${subtreeText(ex)})` }
          : { rule: 'nameConstraintsExcluded', subtree: 'excluded', text: `excludes ${label(name)} (excluded subtree ${subtreeText(ex)})` };
      }
    }
    const permittedOfType = nc.permitted.filter((p) => p.type === name.type);
    if (permittedOfType.length > 0 && !permittedOfType.some((p) => subtreeMatch(name, p, false))) {
      const list = permittedOfType.map(subtreeText).join(', ');
      return wildcard
        ? { rule: 'nameConstraintsWildcard', subtree: 'permitted', text: `does not permit every name the wildcard ${label(name)} can match (permitted: ${list})` }
        : { rule: 'nameConstraintsNotPermitted', subtree: 'permitted', text: `does not permit ${label(name)} (permitted: ${list})` };
    }
  }
  return undefined;
}

/**
 * Check `names` (the leaf's subjectAltName) against one CA's constraints. Returns undefined when
 * they satisfy them, else a sentence naming the offending name (without the CA's name).
 */
export function nameConstraintViolation(names: readonly GeneralName[], nc: NameConstraints): string | undefined {
  return checkNames(names, nc)?.text;
}

export interface PathNameConstraintFailure extends NameConstraintFailure {
  /** The constraining CA (or, for the structural rules, the certificate at fault). */
  readonly ca: Certificate;
  /** The certificate whose name failed, when the failure is about a name. */
  readonly subject?: Certificate;
}

function extensionCritical(c: Certificate, oid: string): boolean {
  return c.extensions.some((e) => e.oid === oid && e.critical);
}

/**
 * Every name-constraint rule on a path [leaf, ..., anchor]: the structure of each certificate's
 * extension (not in an end entity, critical, well formed), the work bound, then each CA's
 * constraints against the certificates below it.
 */
export function pathNameConstraintFailure(path: readonly Certificate[]): PathNameConstraintFailure | undefined {
  const leaf = path[0]!;
  if (leaf.nameConstraints && !leaf.basicConstraints?.ca) {
    return { ca: leaf, rule: 'nameConstraintsInEndEntity', text: 'is an end-entity certificate with a nameConstraints extension (RFC 5280 §4.2.1.10: CA certificates only)' };
  }
  let work = 0;
  const names: GeneralName[][] = path.map((c, j) => (j > 0 && j < path.length - 1 && c.selfIssued ? [] : constrainedNames(c)));
  for (let k = 0; k < path.length; k++) {
    const nc = path[k]!.nameConstraints;
    if (!nc) continue;
    if (!extensionCritical(path[k]!, OID.nameConstraints)) {
      return { ca: path[k]!, rule: 'nameConstraintsNotCritical', text: 'has a non-critical nameConstraints extension (RFC 5280 §4.2.1.10: it MUST be critical)' };
    }
    const malformed = malformedConstraint(nc);
    if (malformed) return { ca: path[k]!, rule: 'nameConstraintsMalformed', text: malformed };
    const n = nc.permitted.length + nc.excluded.length;
    // §6.1.3(b): self-issued intermediates are not checked (their names are [] above).
    for (let j = 0; j < k; j++) work += n * names[j]!.length;
  }
  if (work > MAX_NC_COMPARISONS) {
    return {
      ca: path[path.length - 1]!,
      rule: 'nameConstraintsWorkLimit',
      text: `path needs ${work} name-constraint comparisons, more than the limit of ${MAX_NC_COMPARISONS}`,
    };
  }
  for (let k = path.length - 1; k >= 1; k--) {
    const ca = path[k]!;
    if (!ca.nameConstraints) continue;
    for (let j = k - 1; j >= 0; j--) {
      const below = path[j]!;
      // The same certificate twice cannot happen (the path builder never repeats a subject+key).
      if (equal(below.raw, ca.raw)) continue;
      const f = checkNames(names[j]!, ca.nameConstraints);
      if (f) return { ...f, ca, subject: below };
    }
  }
  return undefined;
}
