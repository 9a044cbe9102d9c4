// Trace events narrate a handshake step by step, for `--trace`, `--trace-json` and learners.
// The core writes the plain-words `message` (handshake states through narration.ts, which turns
// their typed facts into sentences); adapters only print it (text) or serialise it (JSON).

export interface TraceEvent {
  /** A stable name: client_hello, server_hello, hello_retry_request, encrypted_extensions,
   *  certificate, certificate_verify, finished, keys, established, failed, session_ticket,
   *  key_update, alert, application_data, ... */
  readonly event: string;
  /** One or more sentences a learner can follow. */
  readonly message: string;
  /** Structured details (JSON-safe values only). */
  readonly [field: string]: unknown;
}

export function trace(event: string, message: string, fields: Record<string, unknown> = {}): TraceEvent {
  return { event, message, ...fields };
}
