// `hush verify`: validate a certificate chain the way a hush TLS client would, print one JSON object.
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors/errors.js';
import { defaultTrustStore, trustStoreFromFiles } from '../../node/trust.js';
import { verifyResultToJSON, verifyServerChain } from '../../node/x509.js';
import type { Purpose } from '../../x509/verify.js';
import { ArgError, bool, helpText, list, parseArgs, str, type FlagSpec } from '../args.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'cafile', type: 'list', value: 'ROOTS.pem', help: "trust the CA certificates in this PEM file (repeatable; default: Node's bundled Mozilla roots)" },
  { name: 'host', type: 'string', value: 'NAME', help: 'the DNS name or IP address the certificate must be valid for' },
  { name: 'at', type: 'string', value: 'ISO-TIME', help: 'validate at this time instead of now, e.g. 2019-01-01T00:00:00Z' },
  { name: 'purpose', type: 'string', value: 'serverAuth|clientAuth', help: 'what the certificate is for (default serverAuth)' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const USAGE = 'hush verify --cafile ROOTS.pem --host NAME [--at ISO-TIME] LEAF.pem [INTERMEDIATES.pem ...]';

const DESCRIPTION = `Checks a certificate chain as a TLS client would: a path from the leaf through the
intermediates to a trusted root, every signature, validity dates, CA constraints, key usages, name
constraints, and that the leaf names the host (subjectAltName only, no common-name fallback).
LEAF.pem may also contain the intermediates after the leaf; their order does not matter.

Prints one JSON object: { "ok": true|false, "error": null|{alert, code, check, message, certificate},
"chain": [subjects, leaf first] }. On failure "chain" is the path on which the check failed.

Example:
  hush verify --cafile ca.pem --host www.example.com server.pem intermediates.pem
  hush verify --cafile ca.pem --host 127.0.0.1 --at 2025-06-01T00:00:00Z fullchain.pem

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
      const result = verifyServerChain({ leaf, intermediates, roots, hostname: host ?? null, at, purpose });
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
