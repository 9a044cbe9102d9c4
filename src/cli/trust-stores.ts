// `hush ca install` / `uninstall`: put the local CA where this machine's tools look for trust anchors,
// and take it out again.
//  - system:  Debian's store: a .crt in /usr/local/share/ca-certificates, then update-ca-certificates
//             (curl, openssl, git, Python, `node --use-openssl-ca`, … read /etc/ssl/certs).
//  - nss:     the NSS database Chromium (and other NSS programs) read on Linux: ~/.pki/nssdb, created
//             when missing; also snap Chromium's.
//  - firefox: every existing Firefox profile's NSS database (cert9.db).
// NSS databases are changed with certutil (Debian: libnss3-tools). Every location derives from $HOME
// and $HUSH_SYSTEM_ROOT (default /, else passed to update-ca-certificates --sysroot), so tests can
// point both at temp folders.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { LocalCa } from './local-ca.js';
import { toHex } from '../bytes/util.js';
import { nodeCryptoProvider } from '../crypto/node/index.js';

export const STORES = ['system', 'nss', 'firefox'] as const;
export type StoreName = (typeof STORES)[number];

export interface TrustEnv {
  /** The user's home folder (NSS databases live under it). */
  readonly home: string;
  /** Prefix for the system store's paths: '/' for the real one. */
  readonly systemRoot: string;
  readonly path: string;
}

export function trustEnv(env: NodeJS.ProcessEnv = process.env): TrustEnv {
  return {
    home: env.HOME && env.HOME.length > 0 ? env.HOME : homedir(),
    systemRoot: env.HUSH_SYSTEM_ROOT && env.HUSH_SYSTEM_ROOT.length > 0 ? env.HUSH_SYSTEM_ROOT : '/',
    path: env.PATH ?? '',
  };
}

/** What one store did (or would do). */
export interface StoreResult {
  readonly store: StoreName;
  /** The file or database changed. */
  readonly location: string;
  readonly action: 'added' | 'already trusted' | 'removed' | 'not there' | 'skipped';
  /** Why it was skipped, or what else happened. */
  readonly note?: string;
  /** A shell command that undoes `added`. */
  readonly undo?: string;
}

/** A store that cannot be used as asked: the command refuses before changing anything. */
export class TrustStoreError extends Error {}

/** The name of this CA in every store: stable for the CA, distinct between CAs. */
export function trustId(ca: LocalCa): string {
  return `hush-local-ca-${toHex(nodeCryptoProvider.digest('sha256', ca.caCertificate.raw)).slice(0, 16)}`;
}

function findProgram(name: string, path: string): string | undefined {
  // update-ca-certificates lives in /usr/sbin, which is not on every user's PATH.
  for (const dir of [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin']) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Whether `path` (or, when it does not exist yet, the closest folder above it) is writable by us. */
function writable(path: string): boolean {
  let p = path;
  for (let i = 0; i < 64 && !existsSync(p); i++) p = dirname(p);
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function runTool(argv: readonly string[]): { ok: boolean; output: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return { ok: r.status === 0, output: r.error ? r.error.message : output };
}

function mustRun(argv: readonly string[]): void {
  const r = runTool(argv);
  if (!r.ok) {
    const last = r.output.split('\n').filter(Boolean).at(-1) ?? 'failed';
    throw new TrustStoreError(`'${argv.join(' ')}' failed: ${last}`);
  }
}

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

// ---------------------------------------------------------------------------------------------
// Where each store is

interface SystemStore {
  readonly store: 'system';
  readonly file: string;
  readonly certsDir: string;
  readonly update: string[];
}
interface NssStore {
  readonly store: 'nss' | 'firefox';
  /** Databases (folders holding cert9.db, or to be created). */
  readonly dbs: string[];
  readonly certutil: string;
}
type Store = SystemStore | NssStore;

/** A store we can use, or the reason we cannot. */
type Located = { readonly ok: true; readonly store: Store } | { readonly ok: false; readonly store: StoreName; readonly why: string };

function locateSystem(id: string, env: TrustEnv): Located {
  const tool = findProgram('update-ca-certificates', env.path);
  if (!tool) return { ok: false, store: 'system', why: 'update-ca-certificates not found (a Debian/Ubuntu system store is supported; install ca-certificates)' };
  const root = env.systemRoot;
  const file = join(root, 'usr/local/share/ca-certificates', `${id}.crt`);
  return {
    ok: true,
    store: { store: 'system', file, certsDir: join(root, 'etc/ssl/certs'), update: [tool, ...(root === '/' ? [] : ['--sysroot', root])] },
  };
}

function firefoxProfiles(home: string): string[] {
  const out: string[] = [];
  for (const base of [join(home, '.mozilla/firefox'), join(home, 'snap/firefox/common/.mozilla/firefox')]) {
    let names: string[];
    try {
      names = readdirSync(base).sort();
    } catch {
      continue;
    }
    for (const n of names.slice(0, 200)) {
      const dir = join(base, n);
      if (existsSync(join(dir, 'cert9.db'))) out.push(dir);
    }
  }
  return out;
}

function locateNss(which: 'nss' | 'firefox', env: TrustEnv): Located {
  const certutil = findProgram('certutil', env.path);
  if (!certutil) return { ok: false, store: which, why: 'certutil not found (Debian/Ubuntu: apt install libnss3-tools)' };
  if (which === 'nss') {
    const dbs = [join(env.home, '.pki/nssdb')];
    const snap = join(env.home, 'snap/chromium/current/.pki/nssdb');
    if (existsSync(join(snap, 'cert9.db'))) dbs.push(snap);
    return { ok: true, store: { store: 'nss', dbs, certutil } };
  }
  const dbs = firefoxProfiles(env.home);
  if (dbs.length === 0) return { ok: false, store: 'firefox', why: `no Firefox profile with a cert9.db under ${join(env.home, '.mozilla/firefox')}` };
  return { ok: true, store: { store: 'firefox', dbs, certutil } };
}

function locate(name: StoreName, id: string, env: TrustEnv): Located {
  return name === 'system' ? locateSystem(id, env) : locateNss(name, env);
}

/** Parse `--store system,nss,firefox`. */
export function parseStores(value: string | undefined): StoreName[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new TrustStoreError('--store needs one or more of system, nss, firefox');
  for (const n of names) if (!(STORES as readonly string[]).includes(n)) throw new TrustStoreError(`unknown store '${n}' (expected system, nss or firefox)`);
  return STORES.filter((s) => names.includes(s));
}

/**
 * The stores to change: `selected` (explicit: each must be usable) or all that exist here (those that
 * do not are skipped with the reason). Refuses (TrustStoreError) before any change when a store is not
 * writable, saying how to go on.
 */
function plan(ca: LocalCa, selected: readonly StoreName[] | undefined, env: TrustEnv, verb: 'install' | 'uninstall'): { stores: Store[]; skipped: StoreResult[] } {
  const id = trustId(ca);
  const stores: Store[] = [];
  const skipped: StoreResult[] = [];
  const problems: string[] = [];
  for (const name of selected ?? STORES) {
    const l = locate(name, id, env);
    if (!l.ok) {
      if (selected) problems.push(`${name}: ${l.why}`);
      else skipped.push({ store: name, location: '', action: 'skipped', note: l.why });
      continue;
    }
    stores.push(l.store);
  }
  const notWritable = new Map<StoreName, string[]>();
  const cannot = (store: StoreName, p: string): void => void notWritable.set(store, [...(notWritable.get(store) ?? []), p]);
  for (const s of stores) {
    if (s.store === 'system') {
      const needed = verb === 'install' || existsSync(s.file);
      for (const p of needed ? [dirname(s.file), s.certsDir] : []) if (!writable(p)) cannot('system', p);
    } else {
      for (const db of s.dbs) {
        const needed = verb === 'install' || nssHas(s.certutil, db, id);
        if (needed && !(writable(db) && writable(join(db, 'cert9.db')))) cannot(s.store, db);
      }
    }
  }
  if (notWritable.size) {
    const others = STORES.filter((n) => n !== 'system' && stores.some((s) => s.store === n));
    const sysOnly = notWritable.size === 1 && notWritable.has('system');
    const what = [...notWritable].map(([store, paths]) => `the ${store === 'system' ? 'system' : store} store (${paths.join(', ')})`).join(' or ');
    const how =
      sysOnly && env.systemRoot === '/'
        ? `run 'sudo HUSH_HOME=${quote(ca.home)} hush ca ${verb} --store system' for it` +
          (others.length ? `, and 'hush ca ${verb} --store ${others.join(',')}' as yourself` : '')
        : 'run it as a user who can write there, or leave these out with --store';
    problems.push(`cannot write ${what}: ${how}`);
  }
  if (problems.length) throw new TrustStoreError(`nothing changed: ${problems.join('; ')}`);
  return { stores, skipped };
}

// ---------------------------------------------------------------------------------------------
// Install / uninstall

function nssHas(certutil: string, db: string, id: string): boolean {
  return existsSync(join(db, 'cert9.db')) && runTool([certutil, '-d', `sql:${db}`, '-L', '-n', id]).ok;
}

function installSystem(ca: LocalCa, s: SystemStore): StoreResult {
  const undo = `hush ca uninstall --store system (or: rm ${quote(s.file)} && ${[...s.update, '--fresh'].map(quote).join(' ')})`;
  const same = existsSync(s.file) && statSync(s.file).isFile() && readFileSync(s.file, 'utf8') === ca.caPem;
  if (!same) {
    mkdirSync(dirname(s.file), { recursive: true, mode: 0o755 });
    copyFileSync(ca.caCertPath, s.file);
  }
  mustRun(s.update);
  return { store: 'system', location: s.file, action: same ? 'already trusted' : 'added', note: `ran ${s.update.join(' ')}`, undo };
}

function uninstallSystem(s: SystemStore): StoreResult {
  if (!existsSync(s.file)) return { store: 'system', location: s.file, action: 'not there' };
  rmSync(s.file);
  // --fresh: update-ca-certificates only drops the links of a removed local certificate when it rebuilds them all.
  mustRun([...s.update, '--fresh']);
  return { store: 'system', location: s.file, action: 'removed', note: `ran ${[...s.update, '--fresh'].join(' ')}` };
}

function installNss(ca: LocalCa, s: NssStore, id: string): StoreResult[] {
  return s.dbs.map((db) => {
    const undo = `hush ca uninstall --store ${s.store} (or: certutil -d sql:${quote(db)} -D -n ${id})`;
    if (nssHas(s.certutil, db, id)) return { store: s.store, location: db, action: 'already trusted', undo };
    let note: string | undefined;
    if (!existsSync(join(db, 'cert9.db'))) {
      mkdirSync(db, { recursive: true, mode: 0o700 });
      mustRun([s.certutil, '-d', `sql:${db}`, '-N', '--empty-password']);
      note = 'created the database';
    }
    // "C,,": a trusted CA for TLS servers only (not for e-mail or code signing).
    mustRun([s.certutil, '-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', id, '-i', ca.caCertPath]);
    return { store: s.store, location: db, action: 'added', undo, ...(note ? { note } : {}) };
  });
}

function uninstallNss(s: NssStore, id: string): StoreResult[] {
  return s.dbs.map((db) => {
    if (!nssHas(s.certutil, db, id)) return { store: s.store, location: db, action: 'not there' };
    for (let i = 0; i < 8 && nssHas(s.certutil, db, id); i++) mustRun([s.certutil, '-d', `sql:${db}`, '-D', '-n', id]);
    return { store: s.store, location: db, action: 'removed' };
  });
}

/** Trust the CA in the selected stores (default: every store found here). */
export function installCa(ca: LocalCa, selected: readonly StoreName[] | undefined, env: TrustEnv = trustEnv()): StoreResult[] {
  const { stores, skipped } = plan(ca, selected, env, 'install');
  const id = trustId(ca);
  const done = stores.flatMap((s) => (s.store === 'system' ? [installSystem(ca, s)] : installNss(ca, s, id)));
  return [...done, ...skipped];
}

/** Remove what installCa added for this CA from the selected stores (default: every store found here). */
export function uninstallCa(ca: LocalCa, selected: readonly StoreName[] | undefined, env: TrustEnv = trustEnv()): StoreResult[] {
  const { stores, skipped } = plan(ca, selected, env, 'uninstall');
  const id = trustId(ca);
  const done = stores.flatMap((s) => (s.store === 'system' ? [uninstallSystem(s)] : uninstallNss(s, id)));
  return [...done, ...skipped];
}
