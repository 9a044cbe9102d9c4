// Handshake message codecs (TLS 1.3 and 1.2): plain typed data, `encodeX` → full message with its
// 4-byte header, `decodeX(body)` → typed data (views into body where safe).
export * from './handshake.js';
export * from './extensions.js';
export * from './ext-server-name.js';
export * from './ext-lists.js';
export * from './ext-key-share.js';
export * from './ext-pre-shared-key.js';
export * from './ext-misc.js';
export * from './client-hello.js';
export * from './server-hello.js';
export * from './encrypted-extensions.js';
export * from './certificate.js';
export * from './certificate-request.js';
export * from './certificate-verify.js';
export * from './finished.js';
export * from './new-session-ticket.js';
export * from './key-update.js';
export * from './empty-messages.js';
export * from './server-key-exchange.js';
export * from './client-key-exchange.js';
export * from './message-hash.js';
export * from './certificate-status.js';
