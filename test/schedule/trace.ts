// A parser for the TLS 1.3 trace draft (draft-ietf-tls-tls13-vectors, editor's copy): sections,
// steps ("{client}  derive secret ..."), and each step's hex fields. Every field's length is
// checked against its "(N octets)" count.
import { fromHex } from '../../src/bytes/index.js';
import { readVectorText } from '../vectors.js';

export interface TraceStep {
  readonly section: number;
  readonly role: 'client' | 'server';
  /** The step text, e.g. 'derive secret "tls13 c hs traffic":'. */
  action: string;
  readonly fields: Map<string, Uint8Array>;
  /** "salt:  0 (all zero octets)". */
  zeroSalt: boolean;
}

export function loadTrace(): Map<number, TraceStep[]> {
  const text = readVectorText('tls13-traces-draft/draft-ietf-tls-tls13-vectors.txt');
  const sections = new Map<number, TraceStep[]>();
  let section = 0;
  let step: TraceStep | undefined;
  let field: { name: string; octets: number; hex: string } | undefined;
  const close = () => {
    if (field && step) {
      const b = field.hex === '(empty)' ? new Uint8Array(0) : fromHex(field.hex);
      if (b.length !== field.octets) throw new Error(`trace §${section} '${step.action}' ${field.name}: ${b.length} bytes, says ${field.octets}`);
      step.fields.set(field.name, b);
    }
    field = undefined;
  };
  for (const raw of text.replace(/\f/g, '').split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (/^Thomson\s/.test(line) || /^Internet-Draft\s/.test(line) || line === '') continue;
    let m: RegExpMatchArray | null;
    if ((m = /^(\d+)\.\s{2}\S/.exec(line))) {
      close();
      section = Number(m[1]);
      step = undefined;
      continue;
    }
    if ((m = /^ {3}\{(client|server)\} {2}(.*)$/.exec(line))) {
      close();
      step = { section, role: m[1] as 'client' | 'server', action: m[2]!, fields: new Map(), zeroSalt: false };
      if (!sections.has(section)) sections.set(section, []);
      sections.get(section)!.push(step);
      continue;
    }
    if (!step) continue;
    if ((m = /^ {6}(\S.*?) \((\d+) octets\):\s+(.*)$/.exec(line))) {
      close();
      field = { name: m[1]!, octets: Number(m[2]), hex: m[3]! };
      continue;
    }
    if (/^ {6}salt:\s+0 \(all zero octets\)$/.test(line)) {
      close();
      step.zeroSalt = true;
      continue;
    }
    if (field && (m = /^ {9}([0-9a-f]{2}(?: [0-9a-f]{2})*)$/.exec(line))) {
      field.hex += ' ' + m[1];
      continue;
    }
    if (/^ {6}\S/.test(line) && step.fields.size === 0 && !field) {
      step.action += ' ' + line.trim(); // a wrapped step title
      continue;
    }
    close(); // prose
  }
  close();
  return sections;
}

/** The label inside 'derive secret "tls13 X"' style actions, without the "tls13 " prefix. */
export function actionLabel(action: string): string | undefined {
  const m = /"tls13 ([^"]+)"/.exec(action);
  return m ? m[1] : undefined;
}
