export { createNodeCryptoProvider, nodeCryptoProvider, type NodeCryptoProviderOptions } from './provider.js';
