// Browsers use Encrypted Client Hello against hush serve --ech, offline: the browser's secure DNS
// resolver is hush serve's own DNS-over-HTTPS endpoint (/dns-query, RFC 8484), which answers the
// site's A record (127.0.0.1) and its HTTPS record (RFC 9460) with ech= (the list hush ech prints).
// The site is secret.hush.test on a random port, so the browser asks for _PORT._https.secret.hush.test;
// .test is not resolved specially by browsers (unlike *.localhost). The server's /api/connection,
// read by the browser itself, must say "ech":"accepted" with outerSni = the public name, and the
// server log marks the request 'ech'.
//
// Chromium: secure DNS from the profile's Local State (dns_over_https.mode "secure" and .templates,
// the prefs that the DnsOverHttpsMode/DnsOverHttpsTemplates policies set, but per profile instead of
// machine-wide in /etc/chromium/policies), the local CA trusted with --ignore-certificate-errors-spki-list
// (it covers the DoH connection too). The DoH server is an IP literal, so no bootstrap lookup.
//
// Firefox ESR: prefs in a fresh profile's user.js — network.trr.mode 3 (DoH only, no fallback),
// network.trr.uri/custom_uri = hush's /dns-query, network.trr.allow-rfc1918 (else TRR drops the
// 127.0.0.1 answer), network.trr.confirmationNS "skip" (no confirmation lookup of example.com),
// network.dns.echconfig.enabled — and the local CA in the profile's cert9.db (certutil). Firefox
// cannot dump the DOM headless, so it loads the page (--screenshot) and the server tells what
// happened: its --trace-json 'established' event and its request log.
//
// Every browser run is bounded and killed by its process group.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { dumpDom } from './chromium.js';
import { firefoxLoad } from './firefox.js';
import { hush, interopSkip, jsonLines, requireProgram, startServe, tempDir, which, type Served } from './helpers.js';

const SITE = 'secret.hush.test';

const unescapeHtml = (s: string): string =>
  s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);

const servers: Served[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/** hush serve --ech with a local-CA certificate for SITE (and localhost, 127.0.0.1 for the DoH URL). */
async function echServer(extra: readonly string[] = []): Promise<{ s: Served; home: string; env: Record<string, string> }> {
  const home = path.join(tempDir('hush-browser-ech-'), 'home');
  const env = { HUSH_HOME: home };
  const issued = await hush(['ca', 'issue', SITE, 'localhost', '127.0.0.1'], { env });
  assert.equal(issued.code, 0, issued.stderr);
  const cert = /certificate chain: (\S+)/.exec(issued.stdout)![1]!;
  const key = /private key: +(\S+)/.exec(issued.stdout)![1]!;
  const s = await startServe(['--port', '0', '--ech', '--cert', cert, '--key', key, ...extra], { env });
  servers.push(s);
  return { s, home, env };
}

interface ApiConnection {
  ech: string;
  sni: string;
  outerSni?: string;
  version: string;
}

test(`headless Chromium resolves ${SITE} through hush serve's DoH, finds the HTTPS record's ech= and connects with ECH accepted; the inspector's cable-tapper panel shows only the public name`, { skip: interopSkip() || (which('chromium') ? false : 'chromium is not installed (Debian: apt install chromium; .ci/run installs it)') }, async (t) => {
  const chromium = requireProgram('chromium');
  const { s, env } = await echServer();
  const ca = JSON.parse((await hush(['ca', '--json'], { env })).stdout) as { spkiSha256: string };
  const r = await dumpDom(chromium, `https://${SITE}:${s.port}/api/connection`, {
    flags: [`--ignore-certificate-errors-spki-list=${ca.spkiSha256}`],
    localState: { dns_over_https: { mode: 'secure', templates: `https://127.0.0.1:${s.port}/dns-query` } },
  });
  t.diagnostic(`chromium in ${r.ms} ms`);
  const pre = /<pre[^>]*>([\s\S]*?)<\/pre>/.exec(r.dom);
  assert.ok(pre, `no JSON from /api/connection (DoH or ECH failed?); server log:\n${s.stdout()}\nDOM: ${r.dom.slice(0, 300)}`);
  const j = JSON.parse(unescapeHtml(pre[1]!)) as ApiConnection;
  assert.equal(j.ech, 'accepted');
  assert.equal(j.sni, SITE);
  assert.equal(j.outerSni, 'public.localhost');
  assert.equal(j.version, 'TLSv1.3');
  // The browser asked hush's resolver (RFC 8484 POST), then connected with ECH.
  // The inspector page in the same browser: the cable-tapper panel shows only the public name.
  const page = await dumpDom(chromium, `https://${SITE}:${s.port}/`, {
    flags: [`--ignore-certificate-errors-spki-list=${ca.spkiSha256}`],
    localState: { dns_over_https: { mode: 'secure', templates: `https://127.0.0.1:${s.port}/dns-query` } },
  });
  const panel = /<section id="cable-tapper"[^>]*>([\s\S]*?)<\/section>/.exec(page.dom);
  assert.ok(panel, `no cable-tapper panel in the inspector:\n${page.dom.slice(0, 300)}`);
  assert.match(panel[1]!, /Server name \(SNI\) in the clear: <b class="seen-sni">public\.localhost<\/b>/);
  assert.match(panel[1]!, /The real name <b>secret\.hush\.test<\/b> and the protocol list travelled encrypted/);
  await s.waitFor(/^127\.0\.0\.1 (POST \/dns-query|GET \/dns-query\?dns=\S+) 200 /m, 5000);
  await s.waitFor(/^127\.0\.0\.1 GET \/api\/connection 200 \d+B TLSv1\.3 \S+ \S+( resumed)? ech( h2)? /m, 5000);
});

test(`headless Firefox ESR with TRR mode 3 on hush serve's DoH resolves ${SITE}, takes ech= from the HTTPS record and connects with ECH accepted`, { skip: interopSkip() || (which('firefox-esr') ? false : 'firefox-esr is not installed (Debian: apt install firefox-esr; .ci/run installs it)') || (which('certutil') ? false : 'certutil is not installed (Debian: libnss3-tools)') }, async (t) => {
  const firefox = requireProgram('firefox-esr');
  const { s, home } = await echServer(['--trace-json']);
  const doh = `https://127.0.0.1:${s.port}/dns-query`;
  const r = await firefoxLoad(firefox, `https://${SITE}:${s.port}/api/connection`, {
    prefs: {
      'network.trr.mode': 3,
      'network.trr.uri': doh,
      'network.trr.custom_uri': doh,
      'network.trr.allow-rfc1918': true,
      'network.trr.confirmationNS': 'skip',
      'network.dns.echconfig.enabled': true,
      'network.dns.http3_echconfig.enabled': false,
      'network.http.http3.enable': false,
    },
    trust: [path.join(home, 'ca.pem')],
  });
  t.diagnostic(`firefox in ${r.ms} ms, exit ${r.code}`);
  if (!/ GET \/dns-query\?dns=/.test(s.stdout())) t.diagnostic(`firefox stderr:\n${r.stderr}`);
  // The log line is written as the response goes out; wait (bounded) for it to reach us.
  await s.waitFor(/^127\.0\.0\.1 GET \/dns-query\?dns=\S+ 200 /m, 5000);
  await s.waitFor(/^127\.0\.0\.1 GET \/api\/connection 200 \d+B TLSv1\.3 \S+ \S+( resumed)? ech( h2)? /m, 5000);
  await s.waitFor(/"event":"established".*"ech":"accepted"/, 5000);
  const accepted = jsonLines(s.stderr()).filter((e) => e.event === 'established' && e.ech === 'accepted');
  assert.ok(accepted.length > 0, 'an established event with ech accepted');
  assert.equal(accepted[0]!.sni, SITE);
  assert.equal(accepted[0]!.outerSni, 'public.localhost');
  // Firefox's other lookups (its own services) got NXDOMAIN: nothing left this machine.
});
