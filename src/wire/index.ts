export * from './registry.js';
export * from './enums.js';
