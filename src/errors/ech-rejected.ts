import { AlertDescription } from './alert.js';
import { TlsError } from './errors.js';

/**
 * The server rejected Encrypted Client Hello (RFC 9849 §6.1.6). The client authenticated the
 * outer handshake as the config's public_name, sent the ech_required alert and stopped: the
 * connection is never reported as successful. `retryConfigs` is the ECHConfigList the server
 * sent to replace ours (retry once with it, on a new connection), or undefined when it sent
 * none (ECH is off on that server: retrying without ECH would reveal the name).
 */
export class EchRejectedError extends TlsError {
  readonly retryConfigs: Uint8Array | undefined;
  /** The name the server authenticated as (the config's public_name). */
  readonly publicName: string;

  constructor(publicName: string, retryConfigs: Uint8Array | undefined) {
    super(
      AlertDescription.ech_required,
      retryConfigs
        ? `the server (authenticated as '${publicName}') rejected Encrypted Client Hello and sent new ECH configs: retry with them`
        : `the server (authenticated as '${publicName}') rejected Encrypted Client Hello and sent no new ECH configs: it does not accept ECH for this name`,
    );
    this.name = 'EchRejectedError';
    this.retryConfigs = retryConfigs;
    this.publicName = publicName;
  }
}
