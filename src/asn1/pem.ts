// PEM (RFC 7468): "-----BEGIN LABEL-----", base64 lines, "-----END LABEL-----".
// Text outside blocks is ignored (RFC 7468 §5.2 allows explanatory text).
import { fromBase64, toBase64 } from '../bytes/util.js';
import { TlsError } from '../errors/errors.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----\s*$/;

/** Every PEM block in `text`, in order. Mismatched labels, unterminated blocks and bad base64 fail. */
export function decodePem(text: string): PemBlock[] {
  const lines = text.split(/\r?\n|\r/);
  const out: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = BEGIN.exec(lines[i]!.trim());
    if (!m) continue;
    const label = m[1] ?? '';
    const endLine = `-----END ${label}-----`;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!.trim();
      if (l === endLine) break;
      if (l.startsWith('-----')) throw new TlsError('decode_error', `PEM block '${label}' ends with '${l}'`);
      // RFC 1421 headers (Proc-Type, DEK-Info: encrypted keys) are not base64.
      if (l.includes(':')) throw new TlsError('decode_error', `PEM block '${label}' has headers (encrypted?)`);
      body.push(l);
    }
    if (j === lines.length) throw new TlsError('decode_error', `PEM block '${label}' has no END line`);
    let der: Uint8Array;
    try {
      der = fromBase64(body.join(''));
    } catch (e) {
      throw new TlsError('decode_error', `PEM block '${label}': ${(e as Error).message}`);
    }
    out.push({ label, der });
    i = j;
  }
  return out;
}

/** Whether `text` contains a PEM BEGIN line. */
export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/** One PEM block with 64-character lines and a trailing newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines: string[] = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, '');
  return lines.join('\n');
}
