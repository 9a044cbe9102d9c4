export * from './hkdf-label.js';
export * from './transcript.js';
export * from './tls13.js';
