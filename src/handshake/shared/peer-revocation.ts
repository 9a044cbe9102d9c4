// The revocation options a handshake passes to path validation (#15): the config's CRLs, parsed
// once per config (memo keyed by the config's crls array) — a CRL that does not parse is a
// UsageError at the first handshake, not a failure blamed on the peer.
import { UsageError } from '../../errors/errors.js';
import { parseCrlInputs } from '../../x509/revocation.js';
import type { Crl } from '../../x509/crl.js';
import type { PeerRevocationConfig } from '../revocation-config.js';

export interface PeerRevocation {
  readonly crls?: readonly Crl[];
  readonly crlCheck?: 'none' | 'leaf' | 'chain';
}

const parsed = new WeakMap<object, readonly Crl[]>();

export function peerRevocation(config: PeerRevocationConfig): PeerRevocation | undefined {
  const list = config.crls;
  if ((list === undefined || list.length === 0) && (config.crlCheck ?? 'none') === 'none') return undefined;
  let crls: readonly Crl[] = [];
  if (list !== undefined && list.length > 0) {
    const hit = parsed.get(list);
    if (hit) crls = hit;
    else {
      try {
        crls = parseCrlInputs(list);
      } catch (e) {
        throw new UsageError(`config.crls: ${e instanceof Error ? e.message : String(e)}`);
      }
      parsed.set(list, crls);
    }
  }
  return { crls, ...(config.crlCheck ? { crlCheck: config.crlCheck } : {}) };
}
