// Where `hush get` writes what it prints: stdout, or the file of -o, opened on the first write (so a
// failed request leaves no file behind). Writes wait for stdout to drain; every failure is an
// OutputError with a one-line message naming the flag.
import { accessSync, closeSync, constants, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgError } from './args.js';

/** A write that failed; `exitCode` 2 when the -o path cannot be used at all, 1 when writing failed midway. */
export class OutputError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** An fs error as a few plain words. */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EPIPE':
      return 'the reader went away (broken pipe)';
    default:
      return err.message ?? String(e);
  }
}

/**
 * Check that `path` can be written before any network traffic: it is not a folder and its folder
 * exists. Throws an ArgError that names `what` (e.g. "-o" or "--keylog").
 */
export function checkWritablePath(path: string, what: string): void {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new ArgError(`cannot write ${what} ${path}: it is a folder; give a file name`);
    accessSync(path, constants.W_OK);
    return;
  } catch (e) {
    if (e instanceof ArgError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ArgError(`cannot write ${what} ${path}: ${fsReason(e)}`);
  }
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw new ArgError(`cannot write ${what} ${path}: ${dir} is not a folder`);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    if (e instanceof ArgError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ArgError(`cannot write ${what} ${path}: ${code === 'ENOENT' ? `the folder ${dir} does not exist` : fsReason(e)}`);
  }
}

export class BodyOutput {
  private fd: number | undefined;
  private stdoutError: Error | undefined;

  constructor(private readonly path: string | undefined) {
    if (path === undefined) {
      process.stdout.on('error', (e) => {
        this.stdoutError = e;
      });
    }
  }

  /** Create (truncate) the -o file now if it is not open yet. */
  open(): void {
    if (this.path === undefined || this.fd !== undefined) return;
    try {
      this.fd = openSync(this.path, 'w');
    } catch (e) {
      throw new OutputError(`cannot write -o ${this.path}: ${fsReason(e)}`, 2);
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    if (this.path !== undefined) {
      this.open();
      try {
        for (let off = 0; off < chunk.length; ) off += writeSync(this.fd!, chunk, off, chunk.length - off);
      } catch (e) {
        throw new OutputError(`cannot write -o ${this.path}: ${fsReason(e)}`, 1);
      }
      return;
    }
    this.checkStdout();
    if (!process.stdout.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          process.stdout.off('drain', done);
          process.stdout.off('error', done);
          process.stdout.off('close', done);
          resolve();
        };
        process.stdout.on('drain', done);
        process.stdout.on('error', done);
        process.stdout.on('close', done);
      });
    }
    this.checkStdout();
  }

  /** Everything written: close the file, or let stdout report a failed write (EPIPE comes a tick later). */
  async end(): Promise<void> {
    if (this.path !== undefined) {
      this.close();
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.checkStdout();
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (e) {
      throw new OutputError(`cannot write -o ${this.path}: ${fsReason(e)}`, 1);
    }
  }

  private checkStdout(): void {
    if (this.stdoutError) throw new OutputError(`cannot write to stdout: ${fsReason(this.stdoutError)}`, 1);
  }
}
