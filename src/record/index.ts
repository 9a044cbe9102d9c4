export * from './limits.js';
export * from './deframer.js';
export * from './plaintext.js';
export * from './protection13.js';
