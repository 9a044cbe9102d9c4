// What a server reads from a ClientHello before anything else: the parsed extensions, checked once,
// and the ClientHelloInfo an application sees (Acceptor, selectAlpn, the inspector).
import { TlsError, illegalParameter } from '../../errors/errors.js';
import { fromUtf8 } from '../../bytes/util.js';
import { ExtensionType, ProtocolVersion } from '../../wire/enums.js';
import type { ClientHelloView } from '../messages/client-hello.js';
import { decodeServerNameHostName } from '../messages/ext-server-name.js';
import {
  decodeAlpnExt,
  decodePskKeyExchangeModesExt,
  decodeSignatureAlgorithmsExt,
  decodeSupportedGroupsExt,
  decodeSupportedVersionsClientExt,
} from '../messages/ext-lists.js';
import { decodeKeyShareClientExt, type KeyShareEntry } from '../messages/ext-key-share.js';
import { decodePreSharedKeyClientExt, type OfferedPsks } from '../messages/ext-pre-shared-key.js';
import { decodeCookieExt, decodeEarlyDataExt } from '../messages/ext-misc.js';
import type { ClientHelloInfo } from '../client-hello-info.js';

/** The ClientHello extensions a TLS 1.3 server uses, decoded (each strictly, with its alert). */
export interface ParsedClientHello {
  readonly hello: ClientHelloView;
  /** supported_versions, or undefined when absent (a TLS 1.2-or-older client). */
  readonly versions: readonly number[] | undefined;
  readonly serverName: string | undefined;
  readonly groups: readonly number[] | undefined;
  readonly keyShares: readonly KeyShareEntry[] | undefined;
  readonly signatureSchemes: readonly number[] | undefined;
  readonly signatureSchemesCert: readonly number[] | undefined;
  /** Offered ALPN names (as text; a name that is not UTF-8 is kept as Latin-1). */
  readonly alpn: readonly string[] | undefined;
  readonly pskModes: readonly number[] | undefined;
  readonly psk: OfferedPsks | undefined;
  readonly cookie: Uint8Array | undefined;
  readonly earlyData: boolean;
  readonly info: ClientHelloInfo;
}

function alpnText(b: Uint8Array): string {
  try {
    return fromUtf8(b);
  } catch {
    let s = '';
    for (const c of b) s += String.fromCharCode(c);
    return s;
  }
}

/** Decode the extensions the server needs. Malformed ones fail with decode_error/illegal_parameter. */
export function parseClientHello(hello: ClientHelloView): ParsedClientHello {
  const ext = (t: number) => hello.extension(t);
  const sv = ext(ExtensionType.supported_versions);
  const versions = sv === undefined ? undefined : decodeSupportedVersionsClientExt(sv);
  const sni = ext(ExtensionType.server_name);
  let serverName = sni === undefined ? undefined : decodeServerNameHostName(sni);
  if (serverName !== undefined) {
    // RFC 6066 §3: a HostName is ASCII without a trailing dot; we compare case-insensitively.
    if (!/^[\x21-\x7e]+$/.test(serverName)) throw illegalParameter('server_name: the host name is not printable ASCII');
    serverName = serverName.toLowerCase();
  }
  const g = ext(ExtensionType.supported_groups);
  const groups = g === undefined ? undefined : decodeSupportedGroupsExt(g);
  const ks = ext(ExtensionType.key_share);
  const keyShares = ks === undefined ? undefined : decodeKeyShareClientExt(ks);
  const sa = ext(ExtensionType.signature_algorithms);
  const signatureSchemes = sa === undefined ? undefined : decodeSignatureAlgorithmsExt(sa);
  const sac = ext(ExtensionType.signature_algorithms_cert);
  const signatureSchemesCert = sac === undefined ? undefined : decodeSignatureAlgorithmsExt(sac, 'signature_algorithms_cert');
  const al = ext(ExtensionType.application_layer_protocol_negotiation);
  const alpn = al === undefined ? undefined : decodeAlpnExt(al).map(alpnText);
  const pm = ext(ExtensionType.psk_key_exchange_modes);
  const pskModes = pm === undefined ? undefined : decodePskKeyExchangeModesExt(pm);
  const pk = ext(ExtensionType.pre_shared_key);
  const psk = pk === undefined ? undefined : decodePreSharedKeyClientExt(pk);
  const ck = ext(ExtensionType.cookie);
  const cookie = ck === undefined ? undefined : decodeCookieExt(ck);
  const ed = ext(ExtensionType.early_data);
  if (ed !== undefined) decodeEarlyDataExt(ed);
  const info: ClientHelloInfo = {
    serverName,
    alpnProtocols: alpn ?? [],
    cipherSuites: [...hello.cipherSuites],
    groups: groups ?? [],
    keyShareGroups: (keyShares ?? []).map((k) => k.group),
    signatureSchemes: signatureSchemes ?? [],
    versions: versions ?? [hello.legacyVersion],
    extensions: hello.extensions.map((e) => e.type),
    pskOffered: psk !== undefined,
  };
  return {
    hello,
    versions,
    serverName,
    groups,
    keyShares,
    signatureSchemes,
    signatureSchemesCert,
    alpn,
    pskModes,
    psk,
    cookie,
    earlyData: ed !== undefined,
    info,
  };
}

/** The highest version both sides speak, or a protocol_version error naming what the client offered. */
export function negotiateVersion(p: ParsedClientHello, ours: readonly number[]): number {
  // RFC 8446 §4.2.1: with supported_versions present, legacy_version is ignored.
  const offered = p.versions ?? [Math.min(p.hello.legacyVersion, ProtocolVersion.TLSv1_2)];
  for (const v of ours) if (offered.includes(v)) return v;
  const names = offered.map((v) => versionLabel(v)).join(', ');
  throw new TlsError(
    'protocol_version',
    `the client offers only ${names || 'no version'}, but this server speaks ${ours.map(versionLabel).join(', ')}`,
  );
}

function versionLabel(v: number): string {
  switch (v) {
    case ProtocolVersion.TLSv1_3: return 'TLSv1.3';
    case ProtocolVersion.TLSv1_2: return 'TLSv1.2';
    case ProtocolVersion.TLSv1_1: return 'TLSv1.1';
    case ProtocolVersion.TLSv1: return 'TLSv1.0';
    case ProtocolVersion.SSLv3: return 'SSLv3';
    default: return `0x${v.toString(16).padStart(4, '0')}`;
  }
}
