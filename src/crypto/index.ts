export * from './provider.js';
export * from './signature.js';
