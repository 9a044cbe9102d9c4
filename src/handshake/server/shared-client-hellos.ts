// Equal ClientHelloInfos shared between the established connections of one server config: an
// established connection keeps its ClientHelloInfo for life, and clients of one kind send the same
// lists every time. One instance per resolved config (server-options.ts), so two servers in one
// process never share them.
import type { ClientHelloInfo } from '../client-hello-info.js';

/** At most this many distinct infos are kept; then the store starts over. */
const MAX_SHARED_HELLOS = 64;

export class SharedClientHellos {
  private readonly seen = new Map<string, ClientHelloInfo>();

  /** An equal ClientHelloInfo seen recently (frozen, shared), or `hello` itself, now shared. */
  share(hello: ClientHelloInfo): ClientHelloInfo {
    const key = JSON.stringify([
      hello.serverName ?? null, hello.alpnProtocols, hello.cipherSuites, hello.groups, hello.keyShareGroups,
      hello.signatureSchemes, hello.versions, hello.extensions, hello.pskOffered,
    ]);
    const seen = this.seen.get(key);
    if (seen) return seen;
    const shared: ClientHelloInfo = Object.freeze({
      serverName: hello.serverName,
      alpnProtocols: Object.freeze([...hello.alpnProtocols]),
      cipherSuites: Object.freeze([...hello.cipherSuites]),
      groups: Object.freeze([...hello.groups]),
      keyShareGroups: Object.freeze([...hello.keyShareGroups]),
      signatureSchemes: Object.freeze([...hello.signatureSchemes]),
      versions: Object.freeze([...hello.versions]),
      extensions: Object.freeze([...hello.extensions]),
      pskOffered: hello.pskOffered,
    });
    // Bounded: start over rather than track ages (clients sending ever-new lists gain nothing).
    if (this.seen.size >= MAX_SHARED_HELLOS) this.seen.clear();
    this.seen.set(key, shared);
    return shared;
  }
}
