export * from './alert.js';
export * from './errors.js';
