// Post-quantum hybrid key exchange (draft-ietf-tls-ecdhe-mlkem) against real peers on 127.0.0.1:
// Go 1.24's crypto/tls (its default client and server offer X25519MLKEM768; it has neither NIST-curve
// hybrid, so for those the test asserts the fallback) and Node 24's node:tls (OpenSSL 3.5: all three
// hybrids, both directions), plus the negative case: a client offering only hybrids to a hush server
// without them gets handshake_failure. Both sides' view of the group is asserted: hush's
// handshakeInfo, Go's ConnectionState (test/interop/go/internal/peer/groups.go), Node's getEphemeralKeyInfo().
//
// A missing peer skips with the reason (Go older than 1.24, no tools/node24); in CI (CI=true), where
// .ci/run installs both, a missing Node 24 fails instead.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from '../../src/node/connect.js';
import type { TLSSocket } from '../../src/node/socket.js';
import { buildGoServer, goLabel, goToolchain, interopSkip, prebuildGo, sleep, startProcess, testPki, type Started } from './peers.js';
import { buildGoClient, runTool, startHushServer, type HushTestServer } from './server-peers.js';
import { node24, node24Skip, runNode24Client, startNode24Server } from './node24.js';

const HYBRIDS = ['X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024'] as const;
type Hybrid = (typeof HYBRIDS)[number];
/** The classical group each hybrid falls back to when the peer lacks the hybrid (same curve). */
const CLASSICAL: Record<Hybrid, { iana: string; node: string }> = {
  X25519MLKEM768: { iana: 'x25519', node: 'X25519' },
  SecP256r1MLKEM768: { iana: 'secp256r1', node: 'P-256' },
  SecP384r1MLKEM1024: { iana: 'secp384r1', node: 'P-384' },
};
const ALL_HYBRIDS_FIRST = `${HYBRIDS.join(':')}:X25519:P-256:P-384`;
const HANDSHAKE_FAILURE = 40;

const notes: string[] = [];
after(() => {
  if (notes.length) console.log(`post-quantum interop (Go: ${goLabel()}; Node 24: ${'missing' in node24() ? 'missing' : (node24() as { version: string }).version}):\n  ${notes.join('\n  ')}`);
});

// ---------------------------------------------------------------------------------------------
// hush's client over a real socket

interface HushClientResult {
  readonly ok: boolean;
  readonly group?: string;
  readonly ephemeral?: string;
  readonly error?: { code?: string; message: string; alert?: number };
}

/** hush connect() to 127.0.0.1:port (ecdhCurve undefined = hush's defaults), "ping\n" echoed back; bounded. */
function hushClient(port: number, ecdhCurve?: string): Promise<HushClientResult> {
  const pki = testPki();
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: readFileSync(pki.ca.cert),
      minVersion: 'TLSv1.3',
      ...(ecdhCurve ? { ecdhCurve } : {}),
    }) as TLSSocket;
    let done = false;
    const finish = (r: HushClientResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: { message: 'no echo within 10 s' } }), 10_000);
    let got = '';
    socket.on('secureConnect', () => socket.write('ping\n'));
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\n')) {
        const ephemeral = socket.getEphemeralKeyInfo();
        finish({ ok: got === 'ping\n', group: socket.handshakeInfo?.groupName, ...(ephemeral && 'name' in ephemeral ? { ephemeral: String(ephemeral.name) } : {}) });
      }
    });
    socket.on('error', (e: Error & { code?: string; alert?: number }) =>
      finish({ ok: false, error: { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.alert !== undefined ? { alert: e.alert } : {}) } }),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Go 1.24

/** Why the Go tests skip: HUSH_SKIP_INTEROP, no Go, or a Go without X25519MLKEM768 (before 1.24). */
function goPqSkip(): string | false {
  const s = interopSkip();
  if (s) return s;
  const go = goToolchain();
  if ('missing' in go) return `skipped: ${go.missing}`;
  const v = go.version;
  if (v.major === 1 && v.minor < 24) return `skipped: ${go.text} has no X25519MLKEM768 (Go 1.24 or later needed; .ci/run installs golang-1.24-go from trixie)`;
  return false;
}

interface GoHandshake {
  readonly group: string;
  readonly hrr: string;
  readonly suite: string;
}

/** The Go client's HANDSHAKE line (group= and hrr= come from ConnectionState; test/interop/go/internal/peer/groups.go). */
function parseGoHandshake(out: string): GoHandshake | undefined {
  const m = /^HANDSHAKE n=1 version=TLSv1\.3 suite=(\S+) resumed=false alpn=\S* group=(\S+) hrr=(\S+)$/m.exec(out);
  return m ? { suite: m[1]!, group: m[2]!, hrr: m[3]! } : undefined;
}

/** The Go server's per-connection log lines. */
function goServerHandshakes(p: Started): GoHandshake[] {
  return [...p.stderr().matchAll(/handshake ok: version=TLSv1\.3 suite=(\S+) resumed=false group=(\S+) hrr=(\S+)/g)].map((m) => ({ suite: m[1]!, group: m[2]!, hrr: m[3]! }));
}

/**
 * Poll until the peer's log matches (its pipe may be read after our client has finished); bounded.
 * Returns the log either way: the caller's assertion says what was missing.
 */
async function logOf(p: Started, re: RegExp, timeoutMs = 5000): Promise<string> {
  const end = Date.now() + timeoutMs;
  while (!re.test(p.stderr()) && Date.now() < end && !p.exited) await sleep(20);
  return p.stderr();
}
const GO_OK = /handshake ok: /;

/** The Go echo server (test/interop/go/server) with Go's default groups unless `groups` (IANA names). */
async function startGo(groups?: string): Promise<{ p: Started; port: number }> {
  const pki = testPki();
  const bin = await buildGoServer();
  const p = await startProcess(bin, ['-addr', '127.0.0.1:0', '-cert', pki.server.ecdsa256.cert, '-key', pki.server.ecdsa256.key, ...(groups ? ['-groups', groups] : [])], {
    readyRegex: /^LISTENING \d+$/m,
    timeoutMs: 10_000,
  });
  return { p, port: Number(/^LISTENING (\d+)$/m.exec(p.stdout())![1]) };
}

async function runGoClient(port: number, curves?: string): Promise<{ out: string; hs?: GoHandshake }> {
  const pki = testPki();
  const bin = await buildGoClient();
  const r = await runTool(bin, ['-addr', `127.0.0.1:${port}`, '-servername', 'localhost', '-ca', pki.ca.cert, '-send', '64', ...(curves ? ['-curves', curves] : [])], { timeoutMs: 15_000 });
  const hs = parseGoHandshake(r.stdout);
  return { out: r.output, ...(hs ? { hs } : {}) };
}

/** Which groups this Go implements (`-supported-groups`: CurveID.String() knows exactly those). */
async function goSupports(): Promise<Record<string, boolean>> {
  const bin = await buildGoClient();
  const r = await runTool(bin, ['-supported-groups'], { timeoutMs: 15_000 });
  const line = /^GROUPS (.*)$/m.exec(r.stdout);
  assert.ok(line, r.output);
  return Object.fromEntries(line[1]!.split(' ').map((kv) => kv.split('=') as [string, string]).map(([k, v]) => [k, v === 'yes']));
}

describe('post-quantum key exchange × Go crypto/tls', { skip: goPqSkip() }, () => {
  const pki = testPki();
  let hush: HushTestServer | undefined;
  const goServers: Started[] = [];
  before(async () => {
    await prebuildGo('server', 'client');
  });
  after(async () => {
    await hush?.stop();
    for (const g of goServers) await g.stop();
  });
  const hushServer = async (ecdhCurve?: string): Promise<HushTestServer> => {
    await hush?.stop();
    hush = await startHushServer({ cert: readFileSync(pki.server.ecdsa256.cert), key: readFileSync(pki.server.ecdsa256.key), ...(ecdhCurve ? { ecdhCurve } : {}) });
    return hush;
  };

  test("Go's default client → hush's default server: X25519MLKEM768 in one round trip", async () => {
    const srv = await hushServer();
    const { out, hs } = await runGoClient(srv.port);
    assert.ok(hs, out);
    assert.equal(hs.group, 'X25519MLKEM768', out);
    assert.equal(hs.hrr, 'false', out);
    assert.match(out, /^ECHO n=1 bytes=64 ok$/m);
    const seen = srv.handshakes();
    assert.equal(seen.length, 1, JSON.stringify(srv.seen));
    assert.equal(seen[0]!.group, 'X25519MLKEM768');
    notes.push(`go client (defaults) → hush server (defaults): ${hs.group}, hrr=${hs.hrr}, ${hs.suite}`);
  });

  test("hush's default client → Go's default server: X25519MLKEM768", async () => {
    const go = await startGo();
    goServers.push(go.p);
    const r = await hushClient(go.port);
    assert.ok(r.ok, `${JSON.stringify(r)}\n${go.p.stderr()}`);
    await logOf(go.p, GO_OK);
    assert.equal(r.group, 'X25519MLKEM768');
    assert.equal(r.ephemeral, 'X25519MLKEM768', 'getEphemeralKeyInfo().name');
    const seen = goServerHandshakes(go.p);
    assert.equal(seen.length, 1, go.p.stderr());
    assert.equal(seen[0]!.group, 'X25519MLKEM768');
    assert.equal(seen[0]!.hrr, 'false');
    notes.push(`hush client (defaults) → go server (defaults): ${seen[0]!.group}, hrr=${seen[0]!.hrr}`);
    await go.p.stop();
  });

  test('SecP256r1MLKEM768 / SecP384r1MLKEM1024: negotiated where this Go has them, else the fallback is correct', async () => {
    const has = await goSupports();
    assert.equal(has.X25519MLKEM768, true, 'a Go ≥ 1.24 implements X25519MLKEM768');
    for (const g of ['SecP256r1MLKEM768', 'SecP384r1MLKEM1024'] as const) {
      const classical = CLASSICAL[g];
      if (has[g]) {
        // Both directions with the hybrid alone.
        const srv = await hushServer(g);
        const c = await runGoClient(srv.port, g);
        assert.equal(c.hs?.group, g, c.out);
        assert.equal(srv.handshakes()[0]?.group, g);
        const go = await startGo(g);
        goServers.push(go.p);
        const r = await hushClient(go.port, g);
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.group, g);
        await go.p.stop();
        notes.push(`${g}: this Go has it; negotiated both ways`);
        continue;
      }
      // 1. hush offers the hybrid and its classical curve: Go ignores the unknown group and takes the curve.
      const go = await startGo();
      goServers.push(go.p);
      const r = await hushClient(go.port, `${g}:${classical.node}`);
      assert.ok(r.ok, `${JSON.stringify(r)}\n${go.p.stderr()}`);
      assert.equal(r.group, classical.iana);
      await logOf(go.p, GO_OK);
      assert.equal(goServerHandshakes(go.p)[0]?.group, classical.iana, go.p.stderr());
      // 2. hush offers only the hybrid: no common group; Go aborts with handshake_failure (RFC 8446 §4.1.1).
      const only = await hushClient(go.port, g);
      assert.equal(only.ok, false, JSON.stringify(only));
      assert.equal(only.error?.code, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', JSON.stringify(only)); // node:tls's code for the alert (#16)
      assert.match(await logOf(go.p, /handshake: /), /no (ECDHE curve|key exchanges) supported by both client and server/);
      await go.p.stop();
      // 3. A hush server that wants the hybrid first, then the classical curve, and Go's default client
      // (which offers neither NIST hybrid and shares X25519MLKEM768 + x25519 only): HelloRetryRequest to
      // the curve, which is correct — the server never gets a share for a group it accepts.
      const srv = await hushServer(`${g}:${classical.node}`);
      const c = await runGoClient(srv.port);
      assert.equal(c.hs?.group, classical.iana, c.out);
      assert.equal(c.hs?.hrr, 'true', c.out);
      assert.equal(srv.handshakes()[0]?.group, classical.iana);
      notes.push(`${g}: not in this Go (${goLabel()}); hush offering ${g}:${classical.node} → ${classical.iana}; ${g} alone → Go sends handshake_failure; hush server ${g}:${classical.node} ← Go default client → HelloRetryRequest → ${classical.iana}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Node 24 (OpenSSL 3.5)

describe('post-quantum key exchange × Node 24 node:tls (OpenSSL 3.5)', { skip: node24Skip() }, () => {
  const pki = testPki();
  let hush: HushTestServer | undefined;
  after(async () => {
    await hush?.stop();
  });
  const hushServer = async (ecdhCurve?: string): Promise<HushTestServer> => {
    await hush?.stop();
    hush = await startHushServer({ cert: readFileSync(pki.server.ecdsa256.cert), key: readFileSync(pki.server.ecdsa256.key), ...(ecdhCurve ? { ecdhCurve } : {}) });
    return hush;
  };

  test("Node 24's default client → hush's default server, and hush's default client → Node 24's default server: X25519MLKEM768", async () => {
    const srv = await hushServer();
    const c = await runNode24Client({ port: srv.port, ca: pki.ca.cert });
    assert.ok(c.ok, c.output);
    assert.equal(c.group, 'X25519MLKEM768');
    assert.equal(srv.handshakes()[0]?.group, 'X25519MLKEM768');
    const node = await startNode24Server({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key });
    try {
      const r = await hushClient(node.port);
      assert.ok(r.ok, `${JSON.stringify(r)}\n${node.log()}`);
      assert.equal(r.group, 'X25519MLKEM768');
      assert.equal((await node.waitEvents(1))[0]?.kind, 'secure', node.log());
    } finally {
      await node.stop();
    }
    notes.push('node24 client (defaults) ↔ hush server (defaults), hush client (defaults) ↔ node24 server (defaults): X25519MLKEM768');
  });

  for (const g of HYBRIDS) {
    test(`${g}: Node 24 client (ecdhCurve '${g}') → hush server`, async () => {
      const srv = await hushServer(ALL_HYBRIDS_FIRST);
      const c = await runNode24Client({ port: srv.port, ca: pki.ca.cert, ecdhCurve: g });
      assert.ok(c.ok, c.output);
      assert.equal(c.group, g, 'Node 24 getEphemeralKeyInfo().name');
      assert.equal(c.protocol, 'TLSv1.3');
      assert.equal(c.echoed, true);
      const seen = srv.handshakes();
      assert.equal(seen.length, 1, JSON.stringify(srv.seen));
      assert.equal(seen[0]!.group, g);
    });

    test(`${g}: hush client (ecdhCurve '${g}') → Node 24 server (ecdhCurve '${g}')`, async () => {
      const node = await startNode24Server({ cert: pki.server.ecdsa256.cert, key: pki.server.ecdsa256.key, ecdhCurve: g });
      try {
        const r = await hushClient(node.port, g);
        assert.ok(r.ok, `${JSON.stringify(r)}\n${node.log()}`);
        assert.equal(r.group, g);
        assert.equal(r.ephemeral, g, 'hush getEphemeralKeyInfo().name');
        const ev = await node.waitEvents(1);
        assert.equal(ev.length, 1, node.log());
        assert.equal(ev[0]!.kind, 'secure');
      } finally {
        await node.stop();
      }
    });
  }

  test('negative: a Node 24 client offering only the hybrids → a hush server without them sends handshake_failure', async () => {
    const srv = await hushServer('X25519:P-256:P-384');
    const c = await runNode24Client({ port: srv.port, ca: pki.ca.cert, ecdhCurve: HYBRIDS.join(':') });
    assert.equal(c.ok, false, c.output);
    assert.equal(!c.ok && c.alert, HANDSHAKE_FAILURE, c.output);
    assert.equal(srv.handshakes().length, 0);
    const failed = srv.seen[0];
    assert.ok(failed?.error, JSON.stringify(srv.seen));
    assert.ok(failed.alerts.some((a) => /handshake_failure/.test(a)), JSON.stringify(failed));
    notes.push(`node24 client offering only ${HYBRIDS.join(', ')} → hush server (X25519:P-256:P-384): handshake_failure (${failed.error})`);
  });
});
