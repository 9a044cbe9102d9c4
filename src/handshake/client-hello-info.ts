// The parts of a ClientHello an application may look at before it chooses a server config
// (certificate by SNI, ALPN...) — like rustls's ClientHello or Go's ClientHelloInfo.

export interface ClientHelloInfo {
  /** SNI host name, lower-cased, when the client sent one. */
  readonly serverName: string | undefined;
  readonly alpnProtocols: readonly string[];
  readonly cipherSuites: readonly number[];
  /** supported_groups. */
  readonly groups: readonly number[];
  /** Groups the client sent key shares for. */
  readonly keyShareGroups: readonly number[];
  readonly signatureSchemes: readonly number[];
  /** supported_versions (or [legacy_version] when absent). */
  readonly versions: readonly number[];
  /** Extension types in the order the client sent them. */
  readonly extensions: readonly number[];
  readonly pskOffered: boolean;
}
