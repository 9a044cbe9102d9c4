// The one check every Hello gets before it is decoded: no SSL 3.0 or older (RFC 8446 Appendix D.5).
import { TlsError } from '../../errors/errors.js';
import { ProtocolVersion } from '../../wire/enums.js';

/**
 * RFC 8446 Appendix D.5: implementations "MUST NOT send a ClientHello.legacy_version or
 * ServerHello.legacy_version set to 0x0300 or less. Any endpoint receiving a Hello message with
 * ClientHello.legacy_version or ServerHello.legacy_version set to 0x0300 MUST abort the handshake
 * with a protocol_version alert" (values below 0x0300 are not even SSL 3.0: refused the same way).
 * Checked on the raw body before anything else is decoded, and whether or not supported_versions
 * is present: §4.2.1 forbids negotiating with legacy_version, not checking it.
 */
export function checkHelloLegacyVersion(body: Uint8Array, what: 'ClientHello' | 'ServerHello'): void {
  if (body.length < 2) return; // too short for anything: the decoder says decode_error
  const v = (body[0]! << 8) | body[1]!;
  if (v <= ProtocolVersion.SSLv3) {
    throw new TlsError(
      'protocol_version',
      `the ${what} has legacy_version 0x${v.toString(16).padStart(4, '0')}: SSL 3.0 and older are refused (RFC 8446 Appendix D.5)`,
    );
  }
}
