// Headless Chromium (Debian `chromium`) loads the `hush serve` inspector over HTTPS through hush's
// TLS 1.3 server, trusting the local CA for this run only via --ignore-certificate-errors-spki-list,
// and reads back from /api/connection what it negotiated. Without the flag it refuses the certificate.
//
// Each Chromium run is bounded and killed by process group (./chromium.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dumpDom } from './chromium.js';
import { hush, interopSkip, requireProgram, startServe, tempDir, type Served } from './helpers.js';

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** RFC 8701 GREASE values (0x?A?A with both nibbles equal), which the inspector names 'GREASE'. */
const isGrease = (name: string): boolean => {
  if (name === 'GREASE') return true;
  const m = /0x([0-9a-f]{4})$/i.exec(name);
  if (!m) return false;
  const v = parseInt(m[1]!, 16);
  return (v & 0x0f0f) === 0x0a0a && v >> 12 === ((v >> 4) & 0x0f);
};

function spkiSha256(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

const unescapeHtml = (s: string): string =>
  s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);

let server: Served | undefined;
after(async () => {
  await server?.stop();
});

test('headless Chromium loads the inspector over hush TLS 1.3 and /api/connection shows what it negotiated', { skip: interopSkip() }, async (t) => {
  const chromium = requireProgram('chromium');
  const home = path.join(tempDir(), 'home');
  const env = { HUSH_HOME: home };
  server = await startServe(['--port', '0'], { env });
  const origin = `https://localhost:${server.port}`;

  // The CA's SPKI hash as `hush ca --json` reports it (and as computed here), and the leaf's.
  const caInfo = JSON.parse((await hush(['ca', '--json'], { env })).stdout) as { spkiSha256: string };
  assert.equal(caInfo.spkiSha256, spkiSha256(readFileSync(path.join(home, 'ca.pem'), 'utf8')));
  const leafSpki = spkiSha256(readFileSync(path.join(home, 'localhost.pem'), 'utf8'));

  // 1. The inspector page, trusting the CA's key.
  const page = await dumpDom(chromium, `${origin}/`, { flags: [`--ignore-certificate-errors-spki-list=${caInfo.spkiSha256}`] });
  t.diagnostic(`chromium / in ${page.ms} ms`);
  assert.match(page.dom, /<title>hush — your TLS connection<\/title>/, page.dom.slice(0, 500));
  const summary = /<p id="summary">([^<]*)<\/p>/.exec(page.dom);
  assert.ok(summary, 'summary line');
  const [version, cipher, group, signature] = unescapeHtml(summary[1]!).split(' · ');
  assert.equal(version, 'TLSv1.3');
  assert.ok(SUITES.includes(cipher!), cipher);
  assert.equal(signature, 'ecdsa_secp256r1_sha256');
  assert.ok(group);
  const headings = [...page.dom.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => unescapeHtml(m[1]!));
  assert.deepEqual(headings, ['What a cable-tapper saw', '1. Your browser said hello', '2. The server chose', '3. The key exchange', '4. The server proved who it is', '5. Finished — and this page']);
  assert.match(page.dom, /<span class="chip chosen">TLSv1\.3<\/span>/);
  // Without ECH (no HTTPS record for localhost) the panel shows the name in the clear.
  assert.match(page.dom, /Server name \(SNI\) in the clear: <b class="seen-sni">localhost<\/b>/);
  assert.match(page.dom, /It sent its certificate for <b>localhost, 127\.0\.0\.1, ::1<\/b>/);
  await server.waitFor(/^127\.0\.0\.1 GET \/ 200 \d+B TLSv1\.3 /m, 5000);

  // 2. /api/connection, trusting the leaf's key: Chromium shows the JSON inside <pre>.
  const api = await dumpDom(chromium, `${origin}/api/connection`, { flags: [`--ignore-certificate-errors-spki-list=${leafSpki}`] });
  t.diagnostic(`chromium /api/connection in ${api.ms} ms`);
  const pre = /<pre[^>]*>([\s\S]*?)<\/pre>/.exec(api.dom);
  assert.ok(pre, `no <pre> in the DOM:\n${api.dom.slice(0, 500)}`);
  const j = JSON.parse(unescapeHtml(pre[1]!)) as {
    version: string;
    cipher: string;
    group: string;
    signature: string;
    alpn: string;
    sni: string;
    resumed: boolean;
    offered: Record<'versions' | 'cipherSuites' | 'groups' | 'keyShares' | 'signatureSchemes' | 'extensions' | 'alpn', string[]>;
  };
  t.diagnostic(`Chromium negotiated: ${JSON.stringify({ ...j, certificate: undefined })}`);
  assert.equal(j.version, 'TLSv1.3');
  assert.ok(SUITES.includes(j.cipher), j.cipher);
  assert.ok(j.offered.cipherSuites.includes(j.cipher));
  assert.equal(j.sni, 'localhost');
  assert.equal(j.alpn, 'h2'); // Chromium offers h2 and http/1.1; hush serve prefers h2
  assert.ok(j.offered.alpn.includes('h2') && j.offered.alpn.includes('http/1.1'), j.offered.alpn.join());
  assert.equal(j.resumed, false); // fresh profile: no ticket
  assert.equal(j.signature, 'ecdsa_secp256r1_sha256');
  assert.ok(j.offered.signatureSchemes.includes('ecdsa_secp256r1_sha256'));
  // Key exchange: one of ours; with an X25519MLKEM768 share offered (Chromium ≥ 131) hush prefers the
  // post-quantum hybrid, with only an x25519 share it takes x25519 (no HelloRetryRequest).
  assert.ok(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'].includes(j.group), j.group);
  if (j.offered.keyShares.includes('X25519MLKEM768')) assert.equal(j.group, 'X25519MLKEM768');
  else if (j.offered.keyShares.includes('x25519')) assert.equal(j.group, 'x25519');
  // The inspector names every group Chromium offers (no raw code points).
  for (const g of j.offered.groups) assert.ok(g === 'GREASE' || !/0x/.test(g), `unnamed group ${g}`);
  assert.ok(j.offered.versions.includes('TLSv1.3'));
  for (const ext of ['server_name', 'supported_versions', 'key_share', 'signature_algorithms', 'supported_groups', 'application_layer_protocol_negotiation']) {
    assert.ok(j.offered.extensions.includes(ext), `offered extension ${ext}`);
  }
  // GREASE (RFC 8701): kept in every list, named 'GREASE'.
  assert.ok(j.offered.cipherSuites.some(isGrease), `GREASE suite in ${j.offered.cipherSuites.join()}`);
  assert.ok(j.offered.extensions.some(isGrease), `GREASE extension in ${j.offered.extensions.join()}`);
  assert.ok(j.offered.groups.some(isGrease), `GREASE group in ${j.offered.groups.join()}`);
  assert.ok(j.offered.versions.some(isGrease), `GREASE version in ${j.offered.versions.join()}`);
  // Both loads agree.
  assert.deepEqual([j.version, j.cipher, j.group], [version, cipher, group]);
  await server.waitFor(/^127\.0\.0\.1 GET \/api\/connection 200 \d+B TLSv1\.3 /m, 5000);

  // 3. Without the flag, Chromium does not trust the local CA: it aborts the handshake with an alert,
  // and hush serve says so in words.
  const refused = await dumpDom(chromium, `${origin}/api/connection`);
  t.diagnostic(`chromium without trust in ${refused.ms} ms`);
  assert.doesNotMatch(refused.dom, /"version"/);
  await server.waitFor(/^127\.0\.0\.1:\d+ rejected our certificate: certificate_unknown — it may not trust the hush CA/m, 5000);
});
