// A set of trust anchors. Certificates are stored as DER and parsed lazily: the first lookup
// indexes every entry by subject with a cheap DER walk, and an entry is fully parsed only when a
// lookup returns it. Loading Node's ~145 bundled roots therefore costs base64 decoding only.
import { DerReader, Tag, decodePem } from '../asn1/index.js';
import { equal, toHex, fromUtf8 } from '../bytes/util.js';
import { parseCertificate, type Certificate, type CertificateInput } from './certificate.js';

interface Entry {
  readonly der: Uint8Array;
  /** undefined: not parsed yet; null: failed to parse (skipped). */
  cert?: Certificate | null;
  error?: string;
}

/** The subject Name DER of a certificate, found without a full parse (undefined if malformed). */
function subjectOf(der: Uint8Array): Uint8Array | undefined {
  try {
    const r = new DerReader(der, 'trust anchor', 'bad_certificate');
    const c = r.sequence('Certificate');
    const t = c.sequence('tbsCertificate');
    t.optional(0xa0, 'version');
    t.expect(Tag.INTEGER, 'serialNumber');
    t.expect(Tag.SEQUENCE, 'signature');
    t.expect(Tag.SEQUENCE, 'issuer');
    t.expect(Tag.SEQUENCE, 'validity');
    return t.expect(Tag.SEQUENCE, 'subject').raw;
  } catch {
    return undefined;
  }
}

export interface TrustStoreOptions {
  /**
   * The anchors come from a root program that vetted them (Node's bundled Mozilla roots, the
   * system bundle): the 'webpki' profile does not re-check their own encoding rules (serial
   * number, key identifiers, basicConstraints criticality, EKU on a root), which 11 of the 144
   * Mozilla roots shipped with Node 20 break. Path rules (validity, cA, keyCertSign, name
   * constraints, critical extensions) still apply. Default false: roots you pass are checked.
   */
  readonly rootProgram?: boolean;
}

export class TrustStore {
  private readonly entries: Entry[] = [];
  private index: Map<string, Entry[]> | undefined;
  readonly rootProgram: boolean;

  /** Certificates as PEM text (any number of blocks), DER bytes or parsed certificates. */
  constructor(certs: Iterable<CertificateInput> = [], options: TrustStoreOptions = {}) {
    this.rootProgram = options.rootProgram === true;
    for (const c of certs) this.add(c);
  }

  /** A store from a PEM bundle (e.g. the contents of ca-certificates.crt). */
  static fromPem(text: string, options: TrustStoreOptions = {}): TrustStore {
    return new TrustStore([text], options);
  }

  /** Add one input; PEM text may hold many certificates (non-CERTIFICATE blocks are skipped). */
  add(input: CertificateInput): this {
    if (typeof input === 'string' || (input instanceof Uint8Array && input[0] !== Tag.SEQUENCE)) {
      const text = typeof input === 'string' ? input : fromUtf8(input);
      for (const b of decodePem(text)) if (b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE') this.push({ der: b.der });
    } else if (input instanceof Uint8Array) {
      this.push({ der: input });
    } else {
      this.push({ der: input.raw, cert: input });
    }
    return this;
  }

  private push(e: Entry): void {
    this.entries.push(e);
    if (this.index) this.indexEntry(this.index, e);
  }

  private indexEntry(index: Map<string, Entry[]>, e: Entry): void {
    const subject = e.cert ? e.cert.subject.raw : subjectOf(e.der);
    if (!subject) {
      e.cert = null;
      e.error = 'not a certificate';
      return;
    }
    const k = toHex(subject);
    const list = index.get(k);
    if (list) list.push(e);
    else index.set(k, [e]);
  }

  private getIndex(): Map<string, Entry[]> {
    if (!this.index) {
      const index = new Map<string, Entry[]>();
      for (const e of this.entries) this.indexEntry(index, e);
      this.index = index;
    }
    return this.index;
  }

  private parsed(e: Entry): Certificate | undefined {
    if (e.cert === undefined) {
      try {
        e.cert = parseCertificate(e.der);
      } catch (err) {
        e.cert = null;
        e.error = (err as Error).message;
      }
    }
    return e.cert ?? undefined;
  }

  /** Number of certificates added (including any that fail to parse). */
  get size(): number {
    return this.entries.length;
  }

  /** Anchors whose subject is exactly `subject` (DER comparison). Unparsable entries are skipped. */
  findBySubject(subject: Uint8Array): Certificate[] {
    const list = this.getIndex().get(toHex(subject));
    if (!list) return [];
    const out: Certificate[] = [];
    for (const e of list) {
      const c = this.parsed(e);
      if (c) out.push(c);
    }
    return out;
  }

  /** Whether this exact certificate (same DER) is an anchor. */
  has(cert: Certificate): boolean {
    return this.findBySubject(cert.subject.raw).some((c) => equal(c.raw, cert.raw));
  }

  /** Every anchor, parsed (unparsable entries skipped). */
  certificates(): Certificate[] {
    const out: Certificate[] = [];
    for (const e of this.entries) {
      const c = this.parsed(e);
      if (c) out.push(c);
    }
    return out;
  }

  /** Entries that could not be parsed, with the reason (parses every entry). */
  rejected(): { der: Uint8Array; error: string }[] {
    this.certificates();
    return this.entries.filter((e) => e.cert === null).map((e) => ({ der: e.der, error: e.error ?? 'unparsable' }));
  }
}
