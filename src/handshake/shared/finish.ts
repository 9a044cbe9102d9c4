// What every handshake (client or server, TLS 1.3 or 1.2) does as it completes: check the peer's
// Finished and name what was negotiated in the HandshakeInfo. (The HandshakeInfo itself is one
// object literal per state file: built as {...head, ...rest} it cost ≈260 B more per connection.)
import { constantTimeEqual } from '../../bytes/util.js';
import { TlsError } from '../../errors/errors.js';
import { NamedGroups, SignatureSchemes } from '../../wire/enums.js';

/**
 * RFC 8446 §4.4.4 / RFC 5246 §7.4.9: the peer's verify_data must equal ours (compared in constant
 * time: it is a MAC over the transcript); else decrypt_error.
 */
export function checkFinished(expected: Uint8Array, received: Uint8Array, peer: 'client' | 'server'): void {
  if (!constantTimeEqual(expected, received)) {
    throw new TlsError('decrypt_error', `the ${peer}'s Finished message is wrong: the handshake was tampered with or the keys differ`);
  }
}

/** The name of a signature scheme, undefined for none. */
export function schemeName(scheme: number | undefined): string | undefined {
  return scheme === undefined ? undefined : SignatureSchemes.name(scheme);
}

/** The name of a named group, undefined for none (RSA key transport has no group). */
export function groupName(group: number | undefined): string | undefined {
  return group === undefined ? undefined : NamedGroups.name(group);
}
