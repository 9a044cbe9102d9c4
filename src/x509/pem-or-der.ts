// Certificates and CRLs arrive as PEM text (any number of blocks) or as DER bytes (one object or
// several concatenated); one reader serves both (parseCertificates, parseCrls).
import { DerReader, Tag, decodePem } from '../asn1/index.js';
import { fromUtf8 } from '../bytes/util.js';
import { TlsError } from '../errors/errors.js';

export interface PemOrDerKind<T> {
  /** The PEM label of the blocks to read ('CERTIFICATE', 'X509 CRL'); other blocks are skipped. */
  readonly label: string;
  /** How errors name the input and one object ('certificate' / 'Certificate', 'CRL' / 'CertificateList'). */
  readonly what: string;
  readonly element: string;
  readonly parse: (der: Uint8Array) => T;
}

/**
 * Every object in `input`: PEM text, or DER bytes. Bytes that do not start with a SEQUENCE tag are
 * read as PEM text. Fails (bad_certificate) when there is none at all.
 */
export function parsePemOrDer<T>(input: string | Uint8Array, kind: PemOrDerKind<T>): T[] {
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (input.length > 0 && input[0] !== Tag.SEQUENCE) {
    try {
      text = fromUtf8(input);
    } catch {
      throw new TlsError('bad_certificate', `${kind.what} input is neither DER nor PEM text`);
    }
  }
  const out: T[] = [];
  if (text !== undefined) {
    for (const b of decodePem(text)) if (b.label === kind.label) out.push(kind.parse(b.der));
  } else {
    const r = new DerReader(input as Uint8Array, kind.what, 'bad_certificate');
    // A copy of each: a parsed object keeps its bytes, and must not pin (or alias) the caller's buffer.
    while (!r.atEnd) out.push(kind.parse(r.next(kind.element).raw.slice()));
  }
  if (out.length === 0) throw new TlsError('bad_certificate', `no ${kind.what} found (expected PEM "${kind.label}" blocks or DER)`);
  return out;
}
