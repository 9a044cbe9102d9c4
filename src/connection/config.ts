// Re-exported from the handshake layer, where the states that produce them live.
export * from '../handshake/config.js';
