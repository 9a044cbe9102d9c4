export * from './suite.js';
export * from './context.js';
export { DhKem } from './kem.js';
