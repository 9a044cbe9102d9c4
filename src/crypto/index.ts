export * from './provider.js';
export * from './signature.js';
export * from './hybrid.js';
export * from './kem-checks.js';
