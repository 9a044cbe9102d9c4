// The test vectors kept in the repository (test/vectors/, see its README.md): every test reads them
// through these helpers, so a clone with nothing beside it runs the whole suite.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('./vectors/', import.meta.url));

/** Absolute path of a vector file, e.g. vectorPath('illustrated-tls13/keys/server.crt'). */
export function vectorPath(rel: string): string {
  if (rel.startsWith('/') || rel.split('/').includes('..')) throw new Error(`vector path must stay inside test/vectors: ${rel}`);
  return ROOT + rel;
}

/** A vector file's bytes. */
export function readVector(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(vectorPath(rel))); // a plain copy, not a Buffer
}

/** A vector file as UTF-8 text. */
export function readVectorText(rel: string): string {
  return readFileSync(vectorPath(rel), 'utf8');
}

/** A JSON vector file, parsed. */
export function readVectorJson<T = unknown>(rel: string): T {
  return JSON.parse(readVectorText(rel)) as T;
}
