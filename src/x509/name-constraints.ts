// Name constraints (RFC 5280 §4.2.1.10, §6.1.4(g)) for the name forms TLS uses: dNSName and
// iPAddress, applied to the leaf's subjectAltName entries (the subject CN is never used as a
// host name, so it is not checked). directoryName constraints are ignored for the same reason.
// A constraint of another form (rfc822Name, URI, otherName...) is enforced by refusing leaves
// that carry names of that form, since hush cannot evaluate them.
import type { GeneralName } from './general-name.js';
import type { NameConstraints } from './extensions.js';

function lower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * §4.2.1.10: "host.example.com" is satisfied by the name and by any subdomain; a leading dot
 * (".example.com", common practice) by subdomains only; an empty constraint by every name.
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

function matches(name: GeneralName, sub: GeneralName): boolean {
  if (name.type === 'dns' && sub.type === 'dns') return dnsInSubtree(name.value, sub.value);
  if (name.type === 'ip' && sub.type === 'ip') return ipInSubtree(name.bytes, sub.bytes);
  return false;
}

function label(n: GeneralName): string {
  return n.type === 'dns' ? `DNS name '${n.value}'` : n.type === 'ip' ? `IP address ${n.text}` : n.type;
}

function subtreeText(n: GeneralName): string {
  if (n.type === 'dns') return `'${n.value}'`;
  if (n.type === 'ip') {
    const half = n.bytes.length / 2;
    let bits = 0;
    for (let i = half; i < n.bytes.length; i++) for (let b = 7; b >= 0; b--) bits += (n.bytes[i]! >> b) & 1;
    const addr = n.bytes.subarray(0, half);
    return half === 4 ? `${Array.from(addr).join('.')}/${bits}` : `${formatV6(addr)}/${bits}`;
  }
  return n.type;
}

function formatV6(b: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return g.join(':');
}

/**
 * Check `names` (the leaf's subjectAltName) against one CA's constraints. Returns undefined when
 * they satisfy them, else a sentence naming the offending name (without the CA's name).
 */
export function nameConstraintViolation(names: readonly GeneralName[], nc: NameConstraints): string | undefined {
  for (const sub of [...nc.permitted, ...nc.excluded]) {
    if (sub.type === 'ip' && !validIpConstraint(sub.bytes)) return 'has a malformed iPAddress name constraint';
    if (sub.type === 'dns' || sub.type === 'ip' || sub.type === 'directoryName') continue;
    if (names.some((n) => n.type === sub.type)) {
      return `constrains ${sub.type} names, which hush cannot check, and the certificate has one`;
    }
  }
  for (const name of names) {
    if (name.type !== 'dns' && name.type !== 'ip') continue;
    for (const ex of nc.excluded) {
      if (matches(name, ex)) return `excludes ${label(name)} (excluded subtree ${subtreeText(ex)})`;
    }
    const permittedOfType = nc.permitted.filter((p) => p.type === name.type);
    if (permittedOfType.length > 0 && !permittedOfType.some((p) => matches(name, p))) {
      return `does not permit ${label(name)} (permitted: ${permittedOfType.map(subtreeText).join(', ')})`;
    }
  }
  return undefined;
}
