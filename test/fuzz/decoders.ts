// Decoder targets: every handshake message decoder, the extension decoders, the handshake joiner,
// the record deframer, the DER reader, the X.509 parser and PEM. Oracle: bad input may only throw
// TlsError; the joiner and the deframer also must account for every byte they were given.
import * as msg from '../../src/handshake/messages/index.js';
import { parseClientHello } from '../../src/handshake/server/server-client-hello.js';
import { RecordDeframer } from '../../src/record/deframer.js';
import { MAX_CIPHERTEXT_LENGTH_13, MAX_PLAINTEXT_LENGTH } from '../../src/record/limits.js';
import { DerReader, parseDer, type DerElement } from '../../src/asn1/reader.js';
import { Tag } from '../../src/asn1/tags.js';
import { decodePem } from '../../src/asn1/pem.js';
import { parseCertificate, certificateToPem } from '../../src/x509/certificate.js';
import { verifyHostname } from '../../src/x509/hostname.js';
import { verifyServerChain } from '../../src/x509/verify.js';
import { parseCrl } from '../../src/x509/crl.js';
import { parseOcspRequest, parseOcspResponse } from '../../src/x509/ocsp.js';
import { Acceptor } from '../../src/connection/server.js';
import { ExtensionType } from '../../src/wire/enums.js';
import { decodeEchClientHello, decodeEchHrrConfirmation, decodeEchOuterExtensions, decodeEchRetryConfigs } from '../../src/handshake/ech/ech-extensions.js';
import { corpus, bodies } from './corpus.js';
import { SCENARIOS, checkNoInternalError } from './handshake.js';
import { fuzzPki, provider, reseed, NOW } from './pki.js';
import { mutate, join } from './mutator.js';
import { FuzzFailure, isExpectedRejection } from './failure.js';
import type { FuzzTarget } from './target.js';
import type { Rng } from './prng.js';

/** Run `fn`; a TlsError is a rejection, anything else a failure. */
function tolerate(what: string, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (isExpectedRejection(e)) return false;
    throw FuzzFailure.fromException(what, e);
  }
}

/** A target over seeds and a function of the mutated bytes. */
function decoder(name: string, seeds: () => readonly Uint8Array[], fn: (input: Uint8Array) => void): FuzzTarget {
  let list: readonly Uint8Array[] = [];
  return {
    name,
    kind: 'decoder',
    setup() {
      list = seeds();
      if (list.length === 0) throw new Error(`${name}: no seeds`);
    },
    generate(rng: Rng) {
      if (rng.chance(0.03)) return rng.bytes(rng.int(64)); // pure noise, short
      return mutate(rng.pick(list), rng, list).bytes;
    },
    run(input) {
      return tolerate(name, () => fn(input)) ? 'accepted' : 'rejected';
    },
  };
}

const header = (type: number, body: Uint8Array): Uint8Array =>
  join(new Uint8Array([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body);

/** Extension decoders by type, client-side and server-side variants where they differ. */
const EXTENSION_DECODERS: Record<number, ((d: Uint8Array) => unknown)[]> = {
  [ExtensionType.server_name]: [msg.decodeServerNameExt, msg.decodeServerNameHostName],
  [ExtensionType.supported_groups]: [msg.decodeSupportedGroupsExt],
  [ExtensionType.ec_point_formats]: [msg.decodeEcPointFormatsExt],
  [ExtensionType.signature_algorithms]: [(d) => msg.decodeSignatureAlgorithmsExt(d)],
  [ExtensionType.signature_algorithms_cert]: [(d) => msg.decodeSignatureAlgorithmsExt(d, 'signature_algorithms_cert')],
  [ExtensionType.application_layer_protocol_negotiation]: [msg.decodeAlpnExt, msg.decodeAlpnServerExt],
  [ExtensionType.padding]: [msg.decodePaddingExt],
  [ExtensionType.encrypt_then_mac]: [msg.decodeEncryptThenMacExt],
  [ExtensionType.extended_master_secret]: [msg.decodeExtendedMasterSecretExt],
  [ExtensionType.record_size_limit]: [msg.decodeRecordSizeLimitExt],
  [ExtensionType.session_ticket]: [msg.decodeSessionTicketExt],
  [ExtensionType.pre_shared_key]: [msg.decodePreSharedKeyClientExt, msg.decodePreSharedKeyServerExt],
  [ExtensionType.early_data]: [msg.decodeEarlyDataExt, msg.decodeEarlyDataTicketExt],
  [ExtensionType.supported_versions]: [msg.decodeSupportedVersionsClientExt, msg.decodeSupportedVersionsServerExt],
  [ExtensionType.cookie]: [msg.decodeCookieExt],
  [ExtensionType.psk_key_exchange_modes]: [msg.decodePskKeyExchangeModesExt],
  [ExtensionType.certificate_authorities]: [msg.decodeCertificateAuthoritiesExt],
  [ExtensionType.post_handshake_auth]: [msg.decodePostHandshakeAuthExt],
  [ExtensionType.key_share]: [msg.decodeKeyShareClientExt, msg.decodeKeyShareServerExt, msg.decodeKeyShareHrrExt],
  [ExtensionType.renegotiation_info]: [msg.decodeRenegotiationInfoExt],
  // ECH (#14): ClientHello outer/inner, EncryptedExtensions retry_configs (an ECHConfigList), HRR confirmation.
  [ExtensionType.encrypted_client_hello]: [decodeEchClientHello, decodeEchRetryConfigs, decodeEchHrrConfirmation],
  [ExtensionType.ech_outer_extensions]: [decodeEchOuterExtensions],
};
const EXTENSION_TYPES = Object.keys(EXTENSION_DECODERS).map(Number);

/** Extension seeds: u16 type || data, from every extension block in the corpus. */
function extensionSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [key, list] of corpus().messages) {
    for (const m of list) {
      let exts: readonly msg.Extension[] = [];
      try {
        if (key.endsWith(':1')) exts = msg.decodeClientHello(m.subarray(4), m).extensions;
        else if (key.endsWith(':2') || key === '13:hrr') exts = msg.decodeServerHello(m.subarray(4)).extensions;
        else if (key === '13:8') exts = msg.decodeEncryptedExtensions(m.subarray(4)).extensions;
      } catch {
        continue;
      }
      for (const e of exts) out.push(join(new Uint8Array([e.type >> 8, e.type & 0xff]), e.data));
    }
  }
  return out;
}

/** Split `input` into chunks: the first byte picks the pattern (the rest is the stream). */
function chunked(input: Uint8Array): Uint8Array[] {
  if (input.length === 0) return [];
  const mode = input[0]!;
  const stream = input.subarray(1);
  const size = [1, 2, 3, 5, 7, 64, 1000][mode % 7]!;
  if (mode >= 0x80) return [stream];
  const out: Uint8Array[] = [];
  for (let p = 0; p < stream.length; p += size) out.push(stream.subarray(p, p + size));
  return out;
}

function chunkSeeds(streams: readonly Uint8Array[]): Uint8Array[] {
  return streams.flatMap((s, i) => [join(new Uint8Array([0x80]), s), join(new Uint8Array([i % 7]), s)]);
}

/** Walk a DER tree: every constructed element's children, every primitive through its typed getter. */
function walkDer(el: DerElement, depth: number): void {
  if (depth > 64) return;
  if (el.tag & 0x20) {
    const r = new DerReader(el.contents, 'fuzz');
    while (!r.atEnd) walkDer(r.next('child'), depth + 1);
    return;
  }
  const r = new DerReader(el.raw, 'fuzz');
  switch (el.tag) {
    case Tag.INTEGER: r.integer('i'); break;
    case Tag.BOOLEAN: r.boolean('b'); break;
    case Tag.NULL: r.null('n'); break;
    case Tag.OID: r.oid('o'); break;
    case Tag.BIT_STRING: r.bitString('bs'); break;
    case Tag.OCTET_STRING: {
      const c = r.octetString('os');
      // Extensions wrap DER in OCTET STRINGs: look inside when it parses.
      tolerate('der.inner', () => walkDer(parseDer(c), depth + 1));
      break;
    }
    case Tag.UTCTime:
    case Tag.GeneralizedTime: r.time('t'); break;
    default:
      tolerate('der.string', () => void r.string('s'));
  }
}

function firstByteMode(input: Uint8Array): [number, Uint8Array] {
  return input.length === 0 ? [0, input] : [input[0]!, input.subarray(1)];
}

export function decoderTargets(): FuzzTarget[] {
  return [
    decoder('client-hello', () => bodies('13:1', '12:1'), (b) => {
      parseClientHello(msg.decodeClientHello(b, header(1, b)));
    }),
    decoder('server-hello', () => bodies('13:2', '12:2', '13:hrr'), (b) => void msg.decodeServerHello(b)),
    decoder('encrypted-extensions', () => bodies('13:8'), (b) => void msg.decodeEncryptedExtensions(b)),
    decoder('certificate13', () => bodies('13:11'), (b) => void msg.decodeCertificate13(b)),
    decoder('certificate12', () => bodies('12:11'), (b) => void msg.decodeCertificate12(b)),
    decoder('certificate-request13', () => bodies('13:13'), (b) => void msg.decodeCertificateRequest13(b)),
    decoder('certificate-request12', () => bodies('12:13'), (b) => void msg.decodeCertificateRequest12(b)),
    decoder('certificate-verify', () => bodies('13:15', '12:15'), (b) => void msg.decodeCertificateVerify(b)),
    decoder('finished', () => bodies('13:20', '12:20'), (b) => {
      // The verify_data length depends on the version and hash: 12 (TLS 1.2), 32, 48.
      const ok = [12, 32, 48].filter((n) => tolerate('finished', () => void msg.decodeFinished(b, n)));
      if (ok.length === 0) msg.decodeFinished(b, b.length === 12 ? 32 : 12);
    }),
    decoder('new-session-ticket13', () => bodies('13:4'), (b) => void msg.decodeNewSessionTicket13(b)),
    decoder('new-session-ticket12', () => bodies('12:4'), (b) => void msg.decodeNewSessionTicket12(b)),
    decoder('key-update', () => [msg.encodeKeyUpdate({ requestUpdate: true }).subarray(4), msg.encodeKeyUpdate({ requestUpdate: false }).subarray(4)], (b) => {
      tolerate('empty', () => msg.decodeServerHelloDone(b));
      tolerate('empty', () => msg.decodeEndOfEarlyData(b));
      tolerate('empty', () => msg.decodeHelloRequest(b));
      msg.decodeKeyUpdate(b);
    }),
    decoder('server-key-exchange', () => bodies('12:12'), (b) => void msg.decodeServerKeyExchangeEcdhe(b)),
    decoder('client-key-exchange', () => bodies('12:16'), (b) => {
      tolerate('cke.rsa', () => void msg.decodeClientKeyExchangeRsa(b));
      msg.decodeClientKeyExchangeEcdhe(b);
    }),
    decoder('extensions', extensionSeeds, (b) => {
      if (b.length < 2) return void msg.decodeExtensions(b);
      const [mode, rest] = firstByteMode(b);
      if (mode === 0xff) return void msg.decodeExtensions(rest);
      const type = EXTENSION_TYPES.includes((b[0]! << 8) | b[1]!) ? (b[0]! << 8) | b[1]! : EXTENSION_TYPES[(b[0]! ^ b[1]!) % EXTENSION_TYPES.length]!;
      const data = b.subarray(2);
      const fns = EXTENSION_DECODERS[type]!;
      for (const fn of fns.slice(1)) tolerate(`extension ${type}`, () => void fn(data));
      fns[0]!(data);
    }),
    decoder('handshake-joiner', () => chunkSeeds(corpus().handshakeStreams), (input) => {
      const chunks = chunked(input);
      const j = new msg.HandshakeJoiner({ maxMessageSize: 4096 });
      let pushed = 0;
      let taken = 0;
      {
        for (const c of chunks) {
          j.push(c);
          pushed += c.length;
          for (let m = j.next(); m; m = j.next()) {
            const len = (m.raw[1]! << 16) | (m.raw[2]! << 8) | m.raw[3]!;
            if (m.raw.length !== 4 + len || m.body.length !== len || m.type !== m.raw[0]) {
              throw new FuzzFailure('invariant', `joiner: message of type ${m.type} with raw ${m.raw.length} bytes, header says ${len}`);
            }
            if (len > 4096) throw new FuzzFailure('invariant', `joiner: message of ${len} bytes over maxMessageSize 4096`);
            taken += m.raw.length;
          }
          if (taken + j.buffered !== pushed) {
            throw new FuzzFailure('invariant', `joiner: ${pushed} bytes pushed, ${taken} taken + ${j.buffered} buffered`);
          }
          if (j.buffered > 4096 + 4 + 4) throw new FuzzFailure('memory', `joiner buffers ${j.buffered} bytes with maxMessageSize 4096`);
        }
      }
    }),
    decoder('record-deframer', () => chunkSeeds(corpus().flights), (input) => {
      const chunks = chunked(input);
      const d = new RecordDeframer();
      let pushed = 0;
      let taken = 0;
      for (const c of chunks) {
        d.push(c);
        pushed += c.length;
        for (let r = d.next(); r; r = d.next()) {
          const limit = r.type === 23 ? MAX_CIPHERTEXT_LENGTH_13 : MAX_PLAINTEXT_LENGTH;
          if (r.fragment.length > limit) throw new FuzzFailure('invariant', `deframer: record of ${r.fragment.length} bytes over ${limit}`);
          if (r.type < 20 || r.type > 23) throw new FuzzFailure('invariant', `deframer: record type ${r.type}`);
          taken += 5 + r.fragment.length;
        }
        if (taken + d.bufferedBytes !== pushed) {
          throw new FuzzFailure('invariant', `deframer: ${pushed} bytes pushed, ${taken} in records + ${d.bufferedBytes} buffered`);
        }
        if (d.bufferedBytes > 5 + MAX_CIPHERTEXT_LENGTH_13 + c.length) {
          throw new FuzzFailure('memory', `deframer buffers ${d.bufferedBytes} bytes`);
        }
      }
    }),
    decoder('der', () => [...corpus().certificates, ...corpus().otherDer], (b) => walkDer(parseDer(b), 0)),
    decoder('x509', () => corpus().certificates, (b) => {
      const cert = parseCertificate(b);
      verifyHostname(cert, 'fuzz.test');
      verifyHostname(cert, '127.0.0.1');
      certificateToPem(cert);
      tolerate('importPublicKey', () => void provider.importPublicKey(cert.spki.raw));
      const res = verifyServerChain({ leaf: b, intermediates: [], roots: fuzzPki().trust, hostname: 'fuzz.test', at: NOW, provider });
      void res;
    }),
    // #15: CRLs and OCSP responses through path validation (a revoked client, a good server staple).
    decoder('crl', () => [fuzzPki().crl], (b) => {
      const pki = fuzzPki();
      for (const leaf of [pki.client.chain[0]!, pki.server.chain[0]!]) {
        const res = verifyServerChain({ leaf, roots: pki.trust, at: NOW, provider, crls: [b], crlCheck: 'leaf', purpose: leaf === pki.client.chain[0] ? 'clientAuth' : 'serverAuth' });
        void res;
      }
      parseCrl(b); // a TlsError here is the 'rejected' outcome
    }),
    decoder('ocsp', () => [fuzzPki().ocspResponse, fuzzPki().ocspRequest], (b) => {
      const pki = fuzzPki();
      const isRequest = tolerate('parseOcspRequest', () => void parseOcspRequest(b));
      tolerate('certificateStatus', () => void msg.decodeCertificateStatusBody(b));
      tolerate('statusRequest', () => void msg.decodeStatusRequestExt(b));
      const res = verifyServerChain({ leaf: pki.server.chain[0]!, roots: pki.trust, hostname: 'fuzz.test', at: NOW, provider, ocspResponse: b, enforceMustStaple: true });
      void res;
      if (!isRequest) parseOcspResponse(b); // a TlsError here is the 'rejected' outcome
    }),
    decoder('pem', () => corpus().pems.map((p) => new TextEncoder().encode(p)), (b) => {
      const blocks = decodePem(new TextDecoder('latin1').decode(b));
      for (const bl of blocks) if (!(bl.der instanceof Uint8Array)) throw new FuzzFailure('invariant', 'pem: der is not bytes');
    }),
    decoder('acceptor', () => chunkSeeds(corpus().flights.filter((f) => f[0] === 22 && f[5] === 1)), (input) => {
      const a = new Acceptor({ maxHandshakeMessageSize: 4096 });
      for (const c of chunked(input)) {
        const accepted = a.receive(c);
        if (accepted) {
          // The connection replays every byte the Acceptor saw: it may fail only with a TlsError.
          const config = SCENARIOS[0]!.server();
          reseed(0xacc);
          const conn = accepted.intoConnection(config);
          checkNoInternalError(conn);
          break;
        }
      }
    }),
  ];
}
