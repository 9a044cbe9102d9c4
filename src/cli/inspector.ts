// The connection inspector `hush serve` shows when it has no folder to serve: the visitor's own
// TLS connection, told as the steps of the handshake that made it.
import type { HandshakeInfo } from '../handshake/events.js';
import { hybridGroup } from '../crypto/hybrid.js';
import { CipherSuites, ExtensionTypes, NamedGroups, SignatureSchemes, versionName } from '../wire/enums.js';
import { isGrease } from '../wire/registry.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';

export interface ConnectionReport {
  readonly version: string;
  readonly cipher: string;
  readonly group: string | null;
  readonly signature: string | null;
  readonly alpn: string | null;
  readonly sni: string | null;
  readonly resumed: boolean;
  readonly clientCertificate: string | null;
  /** Encrypted Client Hello (RFC 9849): what became of it; `sni` is then the inner (encrypted) name. */
  readonly ech: 'accepted' | 'rejected' | 'grease' | 'none';
  /** With ECH (accepted or rejected): the public name the outer ClientHello showed. */
  readonly outerSni?: string | null;
  readonly certificate: { subject: string; issuer: string; notAfter: string; names: string[] }[];
  readonly offered: {
    readonly versions: string[];
    readonly cipherSuites: string[];
    readonly groups: string[];
    readonly keyShares: string[];
    readonly signatureSchemes: string[];
    readonly extensions: string[];
    readonly alpn: string[];
  };
}

/** A code point's name; RFC 8701 GREASE values (which Chromium sends in every list) as 'GREASE'. */
const named = (name: (v: number) => string) => (v: number): string => (isGrease(v) ? 'GREASE' : name(v));

export function connectionReport(info: HandshakeInfo): ConnectionReport {
  const ch = info.clientHello;
  const chain: Certificate[] = [];
  for (const der of info.localCertificates ?? []) {
    try {
      chain.push(parseCertificate(der));
    } catch {
      // our own certificates always parse; skip if not
    }
  }
  return {
    version: info.version,
    cipher: info.cipherName,
    group: info.groupName ?? null,
    signature: info.localSignatureSchemeName ?? info.signatureSchemeName ?? null,
    alpn: info.alpn ?? null,
    sni: info.serverName ?? null,
    resumed: info.resumed,
    clientCertificate: info.peerCertificates[0]?.subject.text ?? null,
    ech: info.ech ?? 'none',
    ...(info.ech === 'accepted' || info.ech === 'rejected' ? { outerSni: info.outerServerName ?? null } : {}),
    certificate: chain.map((c) => ({
      subject: c.subject.text,
      issuer: c.issuer.text,
      notAfter: new Date(c.notAfter).toISOString(),
      names: (c.subjectAltName ?? []).map((g) => (g.type === 'dns' ? g.value : g.type === 'ip' ? g.text : g.type)),
    })),
    offered: {
      versions: (ch?.versions ?? []).map(named(versionName)),
      cipherSuites: (ch?.cipherSuites ?? []).map(named((s) => CipherSuites.name(s))),
      groups: (ch?.groups ?? []).map(named((g) => NamedGroups.name(g))),
      keyShares: (ch?.keyShareGroups ?? []).map(named((g) => NamedGroups.name(g))),
      signatureSchemes: (ch?.signatureSchemes ?? []).map(named((s) => SignatureSchemes.name(s))),
      extensions: (ch?.extensions ?? []).map(named((e) => ExtensionTypes.name(e))),
      alpn: [...(ch?.alpnProtocols ?? [])],
    },
  };
}

/** For a post-quantum hybrid group: what it adds, in one paragraph (empty otherwise). */
function postQuantumNote(group: string | null): string {
  const g = group === null ? undefined : NamedGroups.byName(group);
  const h = g === undefined ? undefined : hybridGroup(g);
  if (!h) return '';
  const kem = h.kem === 'ml-kem-768' ? 'ML-KEM-768' : 'ML-KEM-1024';
  return `<p id="post-quantum"><b>${esc(h.name)}</b> is a <b>post-quantum hybrid</b>: your browser's share also carried an ${kem} public key, and the server answered with a ciphertext only your browser can open.
       The secret mixes both, so traffic recorded today cannot be decrypted later by a quantum computer ("harvest now, decrypt later"), and the connection is no weaker than ${esc(NamedGroups.name(h.ecdhGroup))} alone.</p>`;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const chips = (xs: readonly string[], chosen?: string | null): string =>
  xs.length === 0
    ? '<em>none</em>'
    : xs.map((x) => `<span class="chip${x === chosen ? ' chosen' : ''}">${esc(x)}</span>`).join(' ');

/**
 * The panel "what a cable-tapper saw": what anyone on the wire read in the ClientHello. Without ECH
 * that is the site name (SNI) and the ALPN list; with ECH accepted (RFC 9849) only the public name of
 * the outer hello — the real name and ALPN list travelled sealed inside it.
 */
export function cableTapperPanel(r: ConnectionReport): string {
  if (r.ech === 'accepted') {
    return `<section id="cable-tapper" class="tapper"><h2>What a cable-tapper saw</h2>
       <p>Server name (SNI) in the clear: <b class="seen-sni">${esc(r.outerSni ?? '(none)')}</b> — only the public name, shared by every site behind this server.</p>
       <p class="ech-note">The real name <b>${esc(r.sni ?? '(none)')}</b> and the protocol list travelled encrypted (Encrypted Client Hello): an observer could not read them.</p></section>`;
  }
  const note =
    r.ech === 'rejected'
      ? `<p class="ech-note">Your browser sent an Encrypted Client Hello this server could not open: a decoy (GREASE, which browsers send to servers they have no ECH config for — then the name above is the real one) or an outdated config (then it is only the public name, and the browser retries with the config this server sent back). Anyone on the network path read these.</p>`
      : `<p class="ech-note">Anyone on the network path read these: the site name is sent in the clear unless the browser uses Encrypted Client Hello.</p>`;
  return `<section id="cable-tapper" class="tapper"><h2>What a cable-tapper saw</h2>
     <p>Server name (SNI) in the clear: <b class="seen-sni">${esc((r.ech === 'rejected' ? r.outerSni : r.sni) ?? '(none)')}</b></p>
     <p>Protocols (ALPN) in the clear: <span class="seen-alpn">${chips(r.offered.alpn)}</span></p>
     ${note}</section>`;
}

export function inspectorPage(r: ConnectionReport): string {
  const leaf = r.certificate[0];
  const root = r.certificate[r.certificate.length - 1];
  const steps = [
    [
      '1. Your browser said hello',
      `<p>It opened with a <b>ClientHello</b>, in the clear. It offered these TLS versions: ${chips(r.offered.versions, r.version)}</p>
       <p>these cipher suites (how to encrypt): ${chips(r.offered.cipherSuites, r.cipher)}</p>
       <p>these key exchange groups: ${chips(r.offered.groups, r.group)}, with ready-made key shares for ${chips(r.offered.keyShares, r.group)}</p>
       <p>these signature schemes it can check: ${chips(r.offered.signatureSchemes, r.signature)}</p>
       <p>It named the site it wants (SNI): <b>${esc(r.sni ?? '(none)')}</b> — ${r.ech === 'accepted' ? 'inside the encrypted inner hello' : 'visible to anyone on the network'} — and the protocols it speaks (ALPN): ${chips(r.offered.alpn, r.alpn)}.</p>
       <p>Extensions, in order: ${chips(r.offered.extensions)}</p>`,
    ],
    [
      '2. The server chose',
      `<p><b>${esc(r.version)}</b> with <b>${esc(r.cipher)}</b>, key exchange <b>${esc(r.group ?? 'none')}</b>${r.alpn ? `, application protocol <b>${esc(r.alpn)}</b>` : ''}.
       ${r.resumed ? 'Your browser resumed an earlier session with a ticket, so no certificate was needed this time.' : ''}</p>`,
    ],
    [
      '3. The key exchange',
      `<p>Both sides sent a fresh public key share for <b>${esc(r.group ?? '?')}</b> and combined them (ECDHE) into a shared secret that someone watching the wire cannot compute.
       The keys of this connection come from that secret, and are thrown away when it ends: recording the traffic and stealing the server's key later would not decrypt it (forward secrecy).</p>
       ${postQuantumNote(r.group)}`,
    ],
    [
      '4. The server proved who it is',
      leaf
        ? `<p>It sent its certificate for <b>${esc(leaf.names.join(', '))}</b> (subject <code>${esc(leaf.subject)}</code>), issued by <code>${esc(leaf.issuer)}</code>${root && root !== leaf ? `, whose certificate chains to <code>${esc(root.subject)}</code>` : ''}, valid until ${esc(leaf.notAfter)}.</p>
           <p>Then it signed the whole handshake so far with its private key, using <b>${esc(r.signature ?? '?')}</b>. Your browser checked that signature with the public key in the certificate: only the holder of the private key could have made it.</p>`
        : `<p>This session was resumed: the server proved itself in the earlier connection.</p>`,
    ],
    [
      '5. Finished — and this page',
      `<p>Each side sent a <b>Finished</b> message: a MAC over every handshake message, so any tampering would have been caught.
       This page travelled to you sealed with <b>${esc(r.cipher)}</b>: encrypted and authenticated, record by record.</p>
       ${r.clientCertificate ? `<p>You also proved your identity with a client certificate: <code>${esc(r.clientCertificate)}</code>.</p>` : ''}`,
    ],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hush — your TLS connection</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem} section{border-left:4px solid #4a7;padding:.2rem 1rem;margin:1.2rem 0}
h2{font-size:1.15rem;margin:.4rem 0} .chip{display:inline-block;background:#eee;border-radius:4px;padding:0 .35rem;margin:.1rem;font:13px ui-monospace,monospace}
.chip.chosen{background:#4a7;color:#fff} section.tapper{border-left-color:#c63} code{font-size:13px} footer{color:#777;font-size:.9rem}
</style></head><body>
<h1>Your connection to this server</h1>
<p id="summary">${esc(r.version)} · ${esc(r.cipher)} · ${esc(r.group ?? '')} · ${esc(r.signature ?? 'resumed')}</p>
${cableTapperPanel(r)}
${steps.map(([h, b]) => `<section><h2>${h}</h2>${b}</section>`).join('\n')}
<footer>Served by hush, a TLS stack written in TypeScript. The same data as JSON: <a href="/api/connection">/api/connection</a>.</footer>
</body></html>
`;
}
