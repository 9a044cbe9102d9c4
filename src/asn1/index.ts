export * from './tags.js';
export * from './errors.js';
export * from './oid.js';
export * from './time.js';
export * from './string.js';
export * from './reader.js';
export * as der from './writer.js';
export * from './pem.js';
