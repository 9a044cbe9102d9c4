import { unexpectedMessage } from '../errors/errors.js';
import { HandshakeTypes } from '../wire/enums.js';
import type { HandshakeContext } from './context.js';
import type { HandshakeMessage } from './messages/handshake.js';

/** One state of a handshake: consumes one message and returns the next state. */
export interface HandshakeState {
  readonly name: string;
  handle(ctx: HandshakeContext, message: HandshakeMessage): HandshakeState;
  /** RFC 8446 §5 / Appendix D.4: a ChangeCipherSpec record may arrive (and is dropped) in this state. */
  readonly allowsCompatCcs?: boolean;
  /**
   * TLS 1.2 (RFC 5246 §7.1): this state expects the peer's ChangeCipherSpec. The connection calls
   * it for a well-formed CCS record at a record boundary; the state switches read protection
   * (ctx.setReadCipher12) and returns the next state. A CCS in a state without this method is
   * unexpected_message (unless allowsCompatCcs), and a handshake message in such a state must be
   * refused by `handle` with unexpected_message.
   */
  changeCipherSpec?(ctx: HandshakeContext): HandshakeState;
  /**
   * The connection failed for good (a fatal alert sent or received). RFC 5246 §7.2.2: a session
   * whose connection ends with a fatal alert must not be resumed, so a state that cached one forgets it.
   */
  connectionFailed?(): void;
  /** Post-handshake states accept application data and KeyUpdate. */
  readonly established?: boolean;
}

/** RFC 8446 §4: a message of a type the state does not accept is unexpected_message. */
export function expectMessage(message: HandshakeMessage, sender: 'client' | 'server', types: readonly number[]): void {
  if (!types.includes(message.type)) {
    throw unexpectedMessage(
      `expected ${types.map((t) => HandshakeTypes.name(t)).join(' or ')} but the ${sender} sent ${HandshakeTypes.name(message.type)}`,
    );
  }
}
