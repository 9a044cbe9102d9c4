// `hush ech`: the server's Encrypted Client Hello keys (RFC 9849) in $HUSH_HOME/ech — print the
// ECHConfigList to publish (creating a key on first use), the DNS HTTPS record that publishes it, or
// rotate to a new key. `hush serve --ech` serves with the same keys.
import { toBase64 } from '../../bytes/util.js';
import { hushHome } from '../local-ca.js';
import { ArgError, bool, helpText, parseArgs, str, splitList, type FlagSpec } from '../args.js';
import { CertNameError, parseCertName } from '../cert-names.js';
import { advertisedConfigList, DEFAULT_PUBLIC_NAME, ensureEchKeys, EchKeyError, httpsRecordLine } from '../ech-keys.js';
import type { Command } from './command.js';

const FLAGS: FlagSpec[] = [
  { name: 'dns', type: 'string', value: 'NAME', help: 'print the DNS HTTPS record (RFC 9460, ech=) that publishes the config for NAME, instead of the base64 list' },
  { name: 'port', type: 'string', value: 'PORT', help: 'with --dns: the HTTPS port when it is not 443 (the record is then _PORT._https.NAME)' },
  { name: 'alpn', type: 'string', value: 'LIST', help: 'with --dns: the alpn= of the record (default h2,http/1.1)' },
  { name: 'rotate', type: 'boolean', help: 'make a new key: it is advertised from now on, the previous one is still accepted, older ones are removed' },
  { name: 'public-name', type: 'string', value: 'NAME', help: `the public name of a key made now (first use or --rotate; default ${DEFAULT_PUBLIC_NAME}): what observers see` },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

const DESCRIPTION = `Prints this machine's Encrypted Client Hello config list (ECHConfigList, base64, one line),
the one 'hush serve --ech' serves with. The keys live in $HUSH_HOME/ech (default ~/.hush/ech),
one PEM file per key (PKCS#8 X25519 private key + ECHCONFIG, as OpenSSL writes them); the
first is made on first use.

With ECH a client encrypts its real ClientHello (the site name it wants, its ALPN list...) to
this key; an observer sees only the public name (default ${DEFAULT_PUBLIC_NAME}). Clients learn the
config from DNS: an HTTPS record with ech=..., which --dns NAME prints.

--rotate makes a new key: it is printed and advertised (retry_configs) from now on, the previous
key is still accepted so that clients with the old config get through, and older keys are
removed. A client whose config is older than that is rejected and told the current config.

Examples:
  hush ech                                  # ECHConfigList, base64
  hush ech --dns example.com                # example.com. 300 IN HTTPS 1 . alpn="h2,http/1.1" ech="..."
  hush ech --dns localhost --port 8443      # _8443._https.localhost. 300 IN HTTPS 1 localhost. ...
  hush ech --rotate
  hush serve --ech --trace`;

export const echCommand: Command = {
  name: 'ech',
  summary: 'print (and rotate) the Encrypted Client Hello keys hush serve --ech uses',
  async run(args) {
    try {
      const p = parseArgs(args, FLAGS);
      if (bool(p, 'help')) {
        console.log(helpText('hush ech [--dns NAME [--port PORT]] [--rotate] [--public-name NAME]', DESCRIPTION, FLAGS));
        return 0;
      }
      if (p.positional.length > 0) throw new ArgError(`unexpected argument '${p.positional[0]}'`);
      const dns = str(p, 'dns');
      const portText = str(p, 'port');
      const alpn = splitList(str(p, 'alpn'));
      if (dns === undefined && (portText !== undefined || alpn !== undefined)) throw new ArgError('--port and --alpn go with --dns');
      const publicNameFlag = str(p, 'public-name');
      const publicName = publicNameFlag === undefined ? undefined : checkPublicName(publicNameFlag);
      const name = dns === undefined ? undefined : dnsName(dns);
      const port = portText === undefined ? undefined : portNumber(portText);
      const home = hushHome();
      const store = ensureEchKeys(home, { publicName, rotate: bool(p, 'rotate') });
      const current = store.keys.at(-1)!;
      if (publicName !== undefined && !store.created && !bool(p, 'rotate') && current.config.contents.publicName !== publicName) {
        throw new ArgError(`the current key's public name is ${current.config.contents.publicName}; --public-name applies to a new key (add --rotate)`);
      }
      const id = `config_id ${current.config.contents.configId}, public name ${current.config.contents.publicName}`;
      if (store.created) console.error(`Created an ECH key in ${store.dir} (${id})`);
      else if (bool(p, 'rotate')) console.error(`New ECH key in ${store.dir} (${id}); the previous key is still accepted, older ones were removed`);
      const list = advertisedConfigList(store);
      console.log(name === undefined ? toBase64(list) : httpsRecordLine(name, list, { port, alpn }));
      return 0;
    } catch (e) {
      if (e instanceof ArgError || e instanceof CertNameError) {
        console.error(`hush ech: ${e.message}. Run 'hush ech --help' for usage.`);
        return 2;
      }
      if (e instanceof EchKeyError) {
        console.error(`hush ech: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
};

/** A DNS name for the record (no IP literal, no wildcard label problems beyond RFC 1123). */
function dnsName(input: string): string {
  const n = parseCertName(input);
  if (n.type !== 'dns') throw new ArgError(`--dns needs a DNS name, not the address ${input}`);
  return n.value;
}

/** A public name clients accept: a DNS name of at least two labels (Go ignores 'localhost'). */
export function checkPublicName(input: string): string {
  const n = parseCertName(input);
  if (n.type !== 'dns' || n.value.startsWith('*.')) throw new ArgError(`--public-name must be a DNS name, not '${input}'`);
  if (!n.value.includes('.')) throw new ArgError(`--public-name '${input}' has a single label; clients such as Go's ignore such a config (try public.${n.value})`);
  return n.value;
}

function portNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 1 || n > 65535) throw new ArgError(`--port must be a port number 1..65535, not '${v}'`);
  return n;
}
