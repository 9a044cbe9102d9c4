// `hush ca`: the local certificate authority `hush serve` uses.
import { ensureLocalCa, hushHome, issueLocalCertificate, spkiHash } from '../../node/local-ca.js';
import { bool, helpText, parseArgs, type FlagSpec } from '../args.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'client', type: 'boolean', help: 'with issue: also allow the certificate for client authentication' },
  { name: 'json', type: 'boolean', help: 'print the result as JSON' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const DESCRIPTION = `Shows the local certificate authority (created on first use in $HUSH_HOME, default
~/.hush) and issues certificates from it.

  hush ca                          print where the CA certificate is and how to trust it
  hush ca issue NAME [NAME...]     issue a certificate for DNS names / IP addresses

Only this machine should trust this CA: its key sits unencrypted in the hush home folder.`;

export const caCommand: Command = {
  name: 'ca',
  summary: 'show the local certificate authority, or issue certificates from it',
  async run(args) {
    let p;
    try {
      p = parseArgs(args, FLAGS);
    } catch (e) {
      console.error(`hush ca: ${(e as Error).message}\nRun 'hush ca --help' for usage.`);
      return 2;
    }
    if (bool(p, 'help')) {
      console.log(helpText('hush ca [issue NAME...] [options]', DESCRIPTION, FLAGS));
      return 0;
    }
    const ca = ensureLocalCa(hushHome());
    const [verb, ...names] = p.positional;
    if (verb === undefined) {
      const spki = spkiHash(ca.caCertificate);
      if (bool(p, 'json')) {
        console.log(JSON.stringify({ ca: ca.caCertPath, key: ca.caKeyPath, subject: ca.caCertificate.subject.text, spkiSha256: spki, created: ca.created }));
        return 0;
      }
      console.log(`${ca.created ? 'Created' : 'Local'} CA: ${ca.caCertPath}`);
      console.log(`  subject: ${ca.caCertificate.subject.text}`);
      console.log(`  expires: ${new Date(ca.caCertificate.notAfter).toISOString()}`);
      console.log(`  SPKI SHA-256 (base64): ${spki}`);
      console.log('Trust it with:');
      console.log(`  curl --cacert ${ca.caCertPath} https://localhost:8443/`);
      console.log(`  npx hush get --cacert ${ca.caCertPath} https://localhost:8443/`);
      console.log(`  chromium --ignore-certificate-errors-spki-list=${spki} https://localhost:8443/`);
      return 0;
    }
    if (verb !== 'issue' || names.length === 0) {
      console.error("hush ca: expected 'issue NAME [NAME...]' or no arguments. Run 'hush ca --help'.");
      return 2;
    }
    const files = issueLocalCertificate(ca, names, undefined, undefined, { clientAuth: bool(p, 'client') });
    if (bool(p, 'json')) {
      console.log(JSON.stringify({ cert: files.certPath, key: files.keyPath, created: files.created }));
    } else {
      console.log(`${files.created ? 'Issued' : 'Reusing'} a certificate for ${names.join(', ')}`);
      console.log(`  certificate chain: ${files.certPath}`);
      console.log(`  private key:       ${files.keyPath}`);
      console.log(`Serve it with: npx hush serve --cert ${files.certPath} --key ${files.keyPath}`);
    }
    return 0;
  },
};
