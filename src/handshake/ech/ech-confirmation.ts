// ECH acceptance signals (RFC 9849 §7.2, §7.2.1), computed the same way by client and server.
//
//   accept_confirmation = HKDF-Expand-Label(HKDF-Extract(0, ClientHelloInner.random),
//       "ech accept confirmation", transcript_ech_conf, 8)
// where transcript_ech_conf hashes the inner transcript up to a ServerHello whose last 8 random
// bytes are zero; for HRR the label is "hrr ech accept confirmation" and the transcript is
// ClientHelloInner1 ‖ HelloRetryRequest with the extension's 8 bytes zeroed.
import { Reader } from '../../bytes/index.js';
import type { CryptoProvider, HashName } from '../../crypto/provider.js';
import { hkdfExpandLabel } from '../../schedule/hkdf-label.js';
import { ExtensionType } from '../../wire/index.js';
import { ECH_CONFIRMATION_LENGTH } from './ech-extensions.js';

/** Offset of ServerHello.random's last 8 bytes inside the ServerHello handshake message (4-byte header, 2-byte version, 32-byte random). */
export const SERVER_HELLO_CONFIRMATION_OFFSET = 4 + 2 + 24;

/** A copy of the ServerHello message with the confirmation bytes zeroed (ServerHello' of §7.2). */
export function zeroServerHelloConfirmation(serverHello: Uint8Array): Uint8Array {
  const out = serverHello.slice();
  out.fill(0, SERVER_HELLO_CONFIRMATION_OFFSET, SERVER_HELLO_CONFIRMATION_OFFSET + ECH_CONFIRMATION_LENGTH);
  return out;
}

/** The ServerHello's confirmation bytes (a view). */
export function serverHelloConfirmation(serverHello: Uint8Array): Uint8Array {
  return serverHello.subarray(SERVER_HELLO_CONFIRMATION_OFFSET, SERVER_HELLO_CONFIRMATION_OFFSET + ECH_CONFIRMATION_LENGTH);
}

/**
 * A copy of a HelloRetryRequest message (header included) with the encrypted_client_hello
 * extension's 8 bytes zeroed, or undefined when it has no such extension.
 */
export function zeroHrrConfirmation(hrr: Uint8Array): Uint8Array | undefined {
  const r = new Reader(hrr, 'HelloRetryRequest');
  r.bytes(4 + 2 + 32, 'header, version and random');
  r.vector(1, 'legacy_session_id_echo');
  r.bytes(3, 'cipher_suite and compression');
  const exts = r.sub(2, 'extensions');
  while (!exts.atEnd) {
    const type = exts.u16('extension_type');
    const len = exts.u16('extension length');
    const at = exts.offset;
    exts.bytes(len, 'extension_data');
    if (type === ExtensionType.encrypted_client_hello) {
      if (len !== ECH_CONFIRMATION_LENGTH) return undefined;
      const out = hrr.slice();
      out.fill(0, at, at + len);
      return out;
    }
  }
  return undefined;
}

/** The 8 confirmation bytes, given the hash of the transcript with the confirmation zeroed. */
export function echConfirmation(
  provider: CryptoProvider,
  hash: HashName,
  innerRandom: Uint8Array,
  transcriptHash: Uint8Array,
  hrr: boolean,
): Uint8Array {
  const prk = provider.hkdfExtract(hash, new Uint8Array(0), innerRandom);
  return hkdfExpandLabel(provider, hash, prk, hrr ? 'hrr ech accept confirmation' : 'ech accept confirmation', transcriptHash, ECH_CONFIRMATION_LENGTH);
}
