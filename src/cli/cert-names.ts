// Names for `hush ca issue`: DNS names (RFC 1123 host names, optionally with a leading `*.` label)
// and IP literals, checked and normalised before they go into a certificate's subjectAltName.
// Internationalised names become A-labels (RFC 5890 §2.3.2.1: a SAN dNSName is an IA5String, so
// `bücher.example` is written as `xn--bcher-kva.example`, RFC 5280 §7.2).
import { domainToASCII } from 'node:url';
import { formatIp, parseIp } from '../x509/ip.js';

export type CertName = { readonly type: 'dns'; readonly value: string } | { readonly type: 'ip'; readonly value: string };

export class CertNameError extends Error {}

/** RFC 1123 §2.1: letters, digits and hyphens, 1..63 octets, no hyphen at either end. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** RFC 1035 §2.3.4: 255 octets on the wire, i.e. 253 characters in text form. */
const MAX_NAME = 253;

function bad(input: string, why: string): CertNameError {
  return new CertNameError(`'${input}' is not a DNS name or IP address: ${why}`);
}

/** The canonical text of an IP literal (`[::1]` and `::0:1` become `::1`), or undefined. */
function ipLiteral(s: string): string | undefined {
  const bytes = parseIp(s);
  return bytes === undefined ? undefined : formatIp(bytes);
}

/** One label as an A-label (lower case); throws with the reason when it cannot be one. */
function aLabel(input: string, label: string): string {
  if (label === '') throw bad(input, 'it has an empty label');
  const ascii = /^[\x00-\x7f]*$/.test(label);
  let out = label.toLowerCase();
  if (!ascii || out.startsWith('xn--')) {
    // UTS #46 / IDNA 2008 through the WHATWG URL host parser, one label at a time so that an
    // all-digit name is never read as an IPv4 number.
    const converted = domainToASCII(label);
    if (converted === '' || converted.includes('.')) throw bad(input, `'${label}' is not a valid internationalised label`);
    out = converted;
  }
  if (out.length > 63) throw bad(input, `label '${label}' is longer than 63 characters`);
  if (!LABEL.test(out)) {
    throw bad(input, /^-|-$/.test(out) ? `label '${label}' starts or ends with a hyphen` : `label '${label}' has characters other than letters, digits and hyphens`);
  }
  return out;
}

/**
 * Check and normalise one name: an IPv4/IPv6 literal (an iPAddress SAN), or a DNS name whose labels
 * become lower-case A-labels, with an optional leading `*.` label followed by at least two labels
 * (no `*.com`). A trailing dot is dropped.
 */
export function parseCertName(input: string): CertName {
  if (input.trim() === '') throw new CertNameError('an empty name cannot go into a certificate');
  const ip = ipLiteral(input);
  if (ip !== undefined) return { type: 'ip', value: ip };
  if (/\s/.test(input)) throw bad(input, 'it contains white space');
  if (input.includes(':')) throw bad(input, 'it is not a valid IPv6 address (no zone ids, no ports)');
  const name = input.endsWith('.') && !input.endsWith('..') ? input.slice(0, -1) : input;
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  if (wildcard) {
    labels.shift();
    if (labels.length < 2) throw bad(input, "a wildcard needs at least two labels after '*.' (like *.example.test)");
  }
  if (labels.some((l) => l.includes('*'))) throw bad(input, "'*' is only allowed as the whole first label ('*.example.test')");
  const out = labels.map((l) => aLabel(input, l));
  if (/^[0-9]+$/.test(out[out.length - 1]!)) throw bad(input, 'its last label is all digits, and it is not an IPv4 address (four numbers 0-255, no leading zeros)');
  const value = (wildcard ? '*.' : '') + out.join('.');
  if (value.length > MAX_NAME) throw bad(input, `it is longer than ${MAX_NAME} characters`);
  return { type: 'dns', value };
}

/** Parse every name, dropping duplicates (after normalisation), keeping the order given. */
export function parseCertNames(inputs: readonly string[]): CertName[] {
  const seen = new Set<string>();
  const out: CertName[] = [];
  for (const input of inputs) {
    const n = parseCertName(input);
    const key = `${n.type}:${n.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(n);
  }
  return out;
}
