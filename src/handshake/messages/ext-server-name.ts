// server_name (RFC 6066 §3).
import { ascii, utf8 } from '../../bytes/index.js';
import { illegalParameter } from '../../errors/index.js';
import { ExtensionType, ServerNameType } from '../../wire/index.js';
import { encodeEmptyExt, makeExtension, parseExtensionBody, type Extension } from './extensions.js';

export interface ServerName {
  /** NameType; 0 = host_name, others kept as numbers. */
  readonly nameType: number;
  /** The name's bytes exactly as sent (for host_name: ASCII, no trailing dot per RFC 6066). */
  readonly name: Uint8Array;
}

/** Client form: a ServerNameList with one host_name. */
export function encodeServerNameExt(hostName: string | Uint8Array): Extension {
  const name = typeof hostName === 'string' ? utf8(hostName) : hostName;
  return makeExtension(ExtensionType.server_name, (w) =>
    w.vector(2, (w2) => {
      w2.u8(ServerNameType.host_name);
      w2.vector(2, name);
    }),
  );
}

/** Server form (ServerHello TLS 1.2 / EncryptedExtensions): an empty acknowledgement. */
export function encodeServerNameAckExt(): Extension {
  return encodeEmptyExt(ExtensionType.server_name);
}

/**
 * Client form: `ServerName server_name_list<1..2^16-1>`, each `opaque HostName<1..2^16-1>`.
 * Every NameType we know (only host_name) has that layout; for an unknown NameType we cannot
 * know the layout, so (as RFC 6066 §3 allows, and as OpenSSL does) we assume the same one.
 */
export function decodeServerNameExt(data: Uint8Array): ServerName[] {
  return parseExtensionBody(data, 'server_name', (r) => {
    const list = r.sub(2, 'server_name_list', 1);
    const out: ServerName[] = [];
    while (!list.atEnd) {
      const nameType = list.u8('name_type');
      const name = list.vector(2, 'host_name', 1);
      out.push({ nameType, name });
    }
    return out;
  });
}

/**
 * What a server reads: the host_name, decoded as ASCII (bytes > 0x7f come through as Latin-1;
 * validating the name is the caller's policy). RFC 6066 §3: "The ServerNameList MUST NOT contain
 * more than one name of the same name_type" → illegal_parameter. Undefined when no host_name.
 */
export function decodeServerNameHostName(data: Uint8Array): string | undefined {
  let host: string | undefined;
  for (const n of decodeServerNameExt(data)) {
    if (n.nameType !== ServerNameType.host_name) continue;
    if (host !== undefined) throw illegalParameter('server_name: more than one host_name (RFC 6066 §3)');
    host = ascii(n.name);
  }
  return host;
}
