// `hush ca`: the local certificate authority `hush serve` uses — show it, issue certificates from it,
// and make this machine's tools trust it (a small mkcert).
import {
  DEFAULT_LEAF_KEY, ensureLocalCa, hushHome, issueLocalCertificate, LEAF_KEY_TYPES, loadLocalCa, LocalCaError, spkiHash, type LocalCa,
} from '../local-ca.js';
import { ArgError, bool, helpText, parseArgs, str, type FlagSpec, type ParsedArgs } from '../args.js';
import { CertNameError, parseCertNames } from '../cert-names.js';
import { installCa, parseStores, trustEnv, trustId, TrustStoreError, uninstallCa, type StoreResult } from '../trust-stores.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'client', type: 'boolean', help: 'with issue: also allow the certificate for client authentication' },
  {
    name: 'key',
    type: 'string',
    value: 'TYPE',
    help: `with issue: the certificate's key: ${Object.keys(LEAF_KEY_TYPES).join(', ')} (default ${DEFAULT_LEAF_KEY}); ml-dsa-* are post-quantum (TLS 1.3 only)`,
  },
  { name: 'force', type: 'boolean', help: 'with issue: replace existing NAME.pem / NAME-key.pem; without a verb: replace an incomplete CA' },
  { name: 'store', type: 'string', value: 'LIST', help: 'with install/uninstall: only these stores, comma-separated: system,nss,firefox' },
  { name: 'json', type: 'boolean', help: 'print the result as JSON' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const DESCRIPTION = `Shows the local certificate authority (created on first use in $HUSH_HOME, default
~/.hush), issues certificates from it, and makes this machine trust it.

  hush ca                          print where the CA certificate is and how to trust it
  hush ca issue NAME [NAME...]     issue a certificate (NAME.pem, NAME-key.pem) for DNS names
                                   (RFC 1123; '*.' wildcards; IDNs become xn-- A-labels) and
                                   IPv4/IPv6 addresses
  hush ca install                  trust the CA in the system store (update-ca-certificates) and
                                   the NSS databases of Chromium (~/.pki/nssdb) and Firefox:
                                   every store found here, or those named with --store
  hush ca uninstall                remove what install added

Nothing is overwritten without --force: an existing NAME.pem is reused when it comes from this CA,
covers the names and has more than 30 days left; otherwise hush says what exists and stops.
install refuses, changing nothing, when a store it should change is not writable (the system
store needs root: run that part with sudo and --store system). NSS stores need certutil
(Debian: apt install libnss3-tools). $HUSH_SYSTEM_ROOT moves the system store (passed to
update-ca-certificates --sysroot).

Only this machine should trust this CA: its key sits unencrypted in the hush home folder.

Examples:
  hush ca issue dev.test '*.dev.test' 127.0.0.1
  hush ca issue --key ml-dsa-65 pq.test
  hush ca install --store nss,firefox
  sudo HUSH_HOME=$HOME/.hush hush ca install --store system`;

const VERBS = ['issue', 'install', 'uninstall'] as const;

export const caCommand: Command = {
  name: 'ca',
  summary: 'show the local certificate authority, issue certificates from it, install it in trust stores',
  async run(args) {
    try {
      const p = parseArgs(args, FLAGS);
      if (bool(p, 'help')) {
        console.log(helpText('hush ca [issue NAME... | install | uninstall] [options]', DESCRIPTION, FLAGS));
        return 0;
      }
      return run(p);
    } catch (e) {
      if (e instanceof ArgError || e instanceof CertNameError) {
        console.error(`hush ca: ${e.message}. Run 'hush ca --help' for usage.`);
        return 2;
      }
      if (e instanceof LocalCaError || e instanceof TrustStoreError) {
        console.error(`hush ca: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
};

function run(p: ParsedArgs): number {
  const [verb, ...rest] = p.positional;
  if (verb !== undefined && !(VERBS as readonly string[]).includes(verb)) {
    throw new ArgError(`unknown subcommand '${verb}' (expected issue, install or uninstall, or nothing)`);
  }
  if (verb !== 'issue' && rest.length > 0) throw new ArgError(`unexpected argument '${rest[0]}'`);
  if (bool(p, 'client') && verb !== 'issue') throw new ArgError('--client goes with issue');
  const key = str(p, 'key');
  if (key !== undefined && verb !== 'issue') throw new ArgError('--key goes with issue');
  if (key !== undefined && !Object.hasOwn(LEAF_KEY_TYPES, key)) {
    throw new ArgError(`--key must be one of ${Object.keys(LEAF_KEY_TYPES).join(', ')}, not '${key}'`);
  }
  if (str(p, 'store') !== undefined && verb !== 'install' && verb !== 'uninstall') throw new ArgError('--store goes with install or uninstall');
  if (bool(p, 'force') && (verb === 'install' || verb === 'uninstall')) throw new ArgError(`--force does not go with ${verb}`);
  const json = bool(p, 'json');
  const home = hushHome();
  if (verb === 'issue') return issue(p, rest, home, json);
  if (verb === 'install' || verb === 'uninstall') {
    let stores;
    try {
      stores = parseStores(str(p, 'store'));
    } catch (e) {
      throw new ArgError((e as Error).message);
    }
    return verb === 'install' ? install(home, stores, json) : uninstall(home, stores, json);
  }
  return show(ensureLocalCa(home, undefined, undefined, { force: bool(p, 'force') }), json);
}

function show(ca: LocalCa, json: boolean): number {
  const spki = spkiHash(ca.caCertificate);
  if (json) {
    console.log(JSON.stringify({ ca: ca.caCertPath, key: ca.caKeyPath, subject: ca.caCertificate.subject.text, spkiSha256: spki, created: ca.created }));
    return 0;
  }
  console.log(`${ca.created ? 'Created' : 'Local'} CA: ${ca.caCertPath}`);
  console.log(`  subject: ${ca.caCertificate.subject.text}`);
  console.log(`  expires: ${new Date(ca.caCertificate.notAfter).toISOString()}`);
  console.log(`  SPKI SHA-256 (base64): ${spki}`);
  console.log('Trust it everywhere on this machine with: npx hush ca install');
  console.log('or for one command:');
  console.log(`  curl --cacert ${ca.caCertPath} https://localhost:8443/`);
  console.log(`  npx hush get --cacert ${ca.caCertPath} https://localhost:8443/`);
  console.log(`  chromium --ignore-certificate-errors-spki-list=${spki} https://localhost:8443/`);
  return 0;
}

function issue(p: ParsedArgs, inputs: readonly string[], home: string, json: boolean): number {
  if (inputs.length === 0) throw new ArgError("'issue' needs at least one NAME (a DNS name or an IP address)");
  const names = parseCertNames(inputs).map((n) => n.value);
  const ca = ensureLocalCa(home);
  const files = issueLocalCertificate(ca, names, undefined, undefined, {
    clientAuth: bool(p, 'client'),
    ...(str(p, 'key') !== undefined ? { key: str(p, 'key')! } : {}),
    existing: bool(p, 'force') ? 'replace' : 'refuse',
  });
  if (json) {
    console.log(JSON.stringify({ cert: files.certPath, key: files.keyPath, created: files.created }));
  } else {
    const key = str(p, 'key');
    console.log(`${files.created ? 'Issued a certificate' : 'Reusing the certificate'} for ${names.join(', ')}${key ? ` (${key} key)` : ''}`);
    console.log(`  certificate chain: ${files.certPath}`);
    console.log(`  private key:       ${files.keyPath}`);
    console.log(`Serve it with: npx hush serve --cert ${files.certPath} --key ${files.keyPath}`);
  }
  return 0;
}

const STORE_TITLE: Record<StoreResult['store'], string> = { system: 'system store', nss: 'NSS (Chromium)', firefox: 'Firefox' };

function report(ca: LocalCa, results: readonly StoreResult[], json: boolean, verb: 'install' | 'uninstall'): void {
  if (json) {
    console.log(JSON.stringify({ ca: ca.caCertPath, id: trustId(ca), stores: results }));
    return;
  }
  console.log(`${verb === 'install' ? 'Trusting' : 'No longer trusting'} the local CA ${ca.caCertPath} (as ${trustId(ca)}):`);
  for (const r of results) {
    const where = r.location ? ` ${r.location}` : '';
    console.log(`  ${STORE_TITLE[r.store]}: ${r.action}${where}${r.note ? ` (${r.note})` : ''}`);
  }
  if (verb === 'install') {
    const undo = results.filter((r) => r.undo !== undefined);
    if (undo.length) {
      console.log('Undo with: npx hush ca uninstall');
      for (const r of undo) console.log(`  ${STORE_TITLE[r.store]}: ${r.undo}`);
    }
    console.log('Restart running browsers to pick up the change.');
  }
}

function install(home: string, stores: ReturnType<typeof parseStores>, json: boolean): number {
  const ca = ensureLocalCa(home);
  report(ca, installCa(ca, stores, trustEnv()), json, 'install');
  return 0;
}

function uninstall(home: string, stores: ReturnType<typeof parseStores>, json: boolean): number {
  const ca = loadLocalCa(home);
  if (!ca) {
    console.error(`hush ca: there is no local CA in ${home}, so there is nothing of it to uninstall`);
    return 1;
  }
  report(ca, uninstallCa(ca, stores, trustEnv()), json, 'uninstall');
  return 0;
}
