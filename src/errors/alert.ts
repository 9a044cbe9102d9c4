// TLS alert descriptions (RFC 8446 §6, IANA "TLS Alerts" registry).
// The lowest layer owns them because every error in hush maps to one.

export const AlertLevel = { warning: 1, fatal: 2 } as const;

export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
  ech_required: 121,
} as const;

export type AlertName = keyof typeof AlertDescription;
/** An alert description value; unknown values are kept as plain numbers. */
export type Alert = number;

const ALERT_NAMES = new Map<number, AlertName>(
  (Object.entries(AlertDescription) as [AlertName, number][]).map(([k, v]) => [v, k]),
);

/** The registry name of an alert, or `alert_<n>` for values we do not know. */
export function alertName(alert: Alert): string {
  return ALERT_NAMES.get(alert) ?? `alert_${alert}`;
}

const CERTIFICATE_ALERTS: ReadonlySet<number> = new Set([
  AlertDescription.bad_certificate,
  AlertDescription.unsupported_certificate,
  AlertDescription.certificate_revoked,
  AlertDescription.certificate_expired,
  AlertDescription.certificate_unknown,
  AlertDescription.unknown_ca,
]);

/** The alerts a peer sends when it refuses our certificate (RFC 8446 §6.2). */
export function isCertificateAlert(alert: Alert): boolean {
  return CERTIFICATE_ALERTS.has(alert);
}
