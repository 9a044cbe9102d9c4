// Server identity check (RFC 9525, which obsoletes RFC 6125): the reference identity is a DNS
// name or an IP address; it is matched against subjectAltName dNSName / iPAddress entries only.
// The subject common name is never used (RFC 9525 §6.3 drops the CN-ID fallback).
import { UsageError } from '../errors/errors.js';
import { equal } from '../bytes/util.js';
import type { Certificate } from './certificate.js';
import { formatIp, parseIp } from './ip.js';

/** A reference identity: what the client connected to. */
export type ReferenceIdentity =
  | { readonly kind: 'dns'; /** lowercase, no trailing dot */ readonly name: string }
  | { readonly kind: 'ip'; readonly bytes: Uint8Array; readonly text: string };

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * Parse the hostname an application connected to. IP literals (IPv4 dotted quad, IPv6 with or
 * without brackets) become IP identities; anything else must be an ASCII DNS name (one
 * trailing dot allowed). Throws UsageError for names that cannot be a host: non-ASCII
 * (pass the IDNA A-label, "xn--..."), empty labels, over-long labels.
 */
export function parseReferenceIdentity(hostname: string): ReferenceIdentity {
  if (typeof hostname !== 'string' || hostname.length === 0) throw new UsageError('hostname must be a non-empty string');
  const ip = parseIp(hostname);
  if (ip) return { kind: 'ip', bytes: ip, text: formatIp(ip) };
  if (/[^\x21-\x7e]/.test(hostname)) {
    let hint = '';
    try {
      // URL is a standard global (WHATWG URL) and performs IDNA ToASCII; used only for the hint.
      const a = new URL(`http://${hostname}/`).hostname;
      if (/^[\x21-\x7e]+$/.test(a)) hint = ` (the A-label form is '${a}')`;
    } catch {
      /* no hint */
    }
    throw new UsageError(`hostname '${hostname}' is not ASCII: pass its IDNA A-label${hint}`);
  }
  let name = asciiLower(hostname);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253) throw new UsageError(`'${hostname}' is not a valid hostname`);
  const labels = name.split('.');
  for (const l of labels) {
    if (!LABEL.test(l)) throw new UsageError(`'${hostname}' is not a valid hostname (label '${l}')`);
  }
  // "1.2.3" or "127.1" would be read as an address by some resolvers: refuse the ambiguity.
  if (labels.every((l) => /^[0-9]+$/.test(l))) throw new UsageError(`'${hostname}' is neither a DNS name nor an IP address`);
  return { kind: 'dns', name };
}

/**
 * Whether a dNSName from a certificate matches a (normalised) reference DNS name.
 * RFC 9525 §6.3: case-insensitive ASCII; a wildcard only as the complete leftmost label
 * ("*.example.com" matches "a.example.com", not "example.com" nor "a.b.example.com"); no
 * partial wildcards ("f*o.example.com"); at least two labels after the wildcard ("*.com" never
 * matches; the 'webpki' profile also refuses wildcards on any public suffix, webpki-rules.ts). A-labels
 * ("xn--...") are compared as bytes like any other label.
 */
export function dnsNameMatches(pattern: string, host: string): boolean {
  let p = asciiLower(pattern);
  if (p.endsWith('.')) p = p.slice(0, -1);
  if (p.length === 0 || /[^a-z0-9_.*-]/.test(p)) return false;
  if (p.startsWith('*.')) {
    const rest = p.slice(2);
    if (rest.includes('*') || rest.split('.').length < 2 || rest.split('.').some((l) => l === '')) return false;
    const dot = host.indexOf('.');
    if (dot <= 0) return false;
    return host.slice(dot + 1) === rest;
  }
  if (p.includes('*')) return false;
  return p === host;
}

/** Whether the certificate's subjectAltName covers `id`. */
export function certificateMatchesIdentity(cert: Certificate, id: ReferenceIdentity): boolean {
  for (const n of cert.subjectAltName ?? []) {
    if (id.kind === 'dns' && n.type === 'dns' && dnsNameMatches(n.value, id.name)) return true;
    // IP identities only match iPAddress entries, never a dNSName spelled like an address.
    if (id.kind === 'ip' && n.type === 'ip' && equal(n.bytes, id.bytes)) return true;
  }
  return false;
}

/** Whether `cert` is valid for `hostname` (a DNS name or an IP literal). */
export function verifyHostname(cert: Certificate, hostname: string): boolean {
  return certificateMatchesIdentity(cert, parseReferenceIdentity(hostname));
}

/** The names a certificate is valid for, for messages: "'a.example', 'IP 10.0.0.1'". */
export function describeIdentities(cert: Certificate, max = 4): string {
  const names: string[] = [];
  for (const n of cert.subjectAltName ?? []) {
    if (n.type === 'dns') names.push(`'${n.value}'`);
    else if (n.type === 'ip') names.push(`'${n.text}'`);
  }
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Undefined when the certificate matches; else a sentence naming what it is valid for. */
export function hostnameMismatch(cert: Certificate, id: ReferenceIdentity, hostname: string): string | undefined {
  if (certificateMatchesIdentity(cert, id)) return undefined;
  const names = describeIdentities(cert);
  if (names === '') {
    return `certificate '${cert.subject.text}' has no DNS or IP subjectAltName, so it is not valid for '${hostname}' (the common name is not used, RFC 9525)`;
  }
  return `certificate for ${names} is not valid for '${hostname}'`;
}
