export * from './alert.js';
export * from './errors.js';
export * from './ech-rejected.js';
