// Public suffixes (https://publicsuffix.org) for the Web PKI wildcard rule: "*.com", "*.co.uk"
// or "*.github.io" would cover names under many registrants, so a certificate must not carry them.
// The list comes from the `tldts` package (a compiled table, no I/O: fine for the portable
// core), ICANN and private sections both. Like browsers, a name whose last label is not listed
// counts as a suffix too (the list's implicit "*" rule).
import { getPublicSuffix } from 'tldts';

const OPTIONS = { allowPrivateDomains: true, extractHostname: false, detectIp: false, validateHostname: false } as const;

/** Whether `name` (lowercase ASCII, no trailing dot) is itself a public suffix. */
export function isPublicSuffix(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n === '') return true;
  return getPublicSuffix(n, OPTIONS) === n;
}
