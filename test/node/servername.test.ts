// setServername() (issue #16) side by side with node:tls, against a node:tls server on 127.0.0.1
// that records the SNI it receives. As measured on node 20: called right after connect(), the new
// name is what the server sees in SNI and what `servername` reports, while the certificate is still
// checked against connect()'s servername (else host). Its argument errors are node's
// (ERR_INVALID_ARG_TYPE, ERR_TLS_SNI_FROM_SERVER). node aborts the process when it is called after
// the ClientHello left; hush throws a UsageError saying when to call it. hush's own rules: an IP
// address is never sent as SNI, and '' sends the host.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { once } from 'node:events';
import { connect } from '../../src/node/connect.js';
import { createServer } from '../../src/node/server.js';
import { TLSSocket } from '../../src/node/socket.js';
import '../../src/node/index.js';
import { generateTestKey, privateKeyPem, testCa, testCert } from '../pki.js';
import { closed, listen, shut } from './listen.js';

// A certificate for localhost and a.example (no IP address): b.example is not in it.
const ca = testCa('CN=hush servername test CA');
const serverKey = generateTestKey('p256');
const serverCert = testCert(serverKey, ca, { subject: 'CN=localhost', dnsNames: ['localhost', 'a.example'], extKeyUsage: ['serverAuth'] });

type AnySocket = tls.TLSSocket | TLSSocket;
/** (@types/node's tls.TLSSocket lacks setServername; node:tls has it.) */
const setServername = (s: AnySocket, name: string): void => (s as TLSSocket).setServername(name);
type Connect = (options: Record<string, unknown>) => AnySocket;
const CLIENTS: { name: string; connect: Connect }[] = [
  { name: 'node:tls', connect: tls.connect as unknown as Connect },
  { name: 'hush', connect: connect as unknown as Connect },
];

/** The SNI of each ClientHello the server received ('' when none). */
let sniSeen: string[] = [];
let port = 0;
const nodeServer = tls.createServer(
  {
    key: privateKeyPem(serverKey),
    cert: serverCert.pem,
    SNICallback: (name, cb) => {
      sniSeen.push(name);
      cb(null, undefined);
    },
  },
  (s) => {
    if (s.servername === false) sniSeen.push('');
    s.on('error', () => {});
    s.end('x');
  },
);
nodeServer.on('tlsClientError', () => {});

before(async () => {
  port = await listen(nodeServer);
});
after(() => shut(nodeServer));

interface Outcome {
  /** What the server saw in SNI ('' for none). */
  sni: string[];
  authorized?: boolean;
  servername?: string | false | null;
  code?: string;
  host?: string;
}

/** Connect, call `setup` right after connect(), and report what happened. */
async function run(conn: Connect, options: Record<string, unknown>, setup: (s: AnySocket) => void): Promise<Outcome> {
  sniSeen = [];
  const s = conn({ host: '127.0.0.1', port, ca: ca.pem, ...options });
  setup(s);
  const out: Outcome = { sni: [] };
  s.on('secureConnect', () => {
    out.authorized = s.authorized;
    out.servername = s.servername;
  });
  s.on('error', (e: Error & { code?: string; host?: string }) => {
    out.code = e.code;
    out.host = e.host;
  });
  s.resume();
  await closed(s);
  out.sni = sniSeen;
  return out;
}

const CASES: { name: string; options: Record<string, unknown>; set: string; expect: Omit<Outcome, 'sni'> & { sni: string } }[] = [
  {
    name: 'servername localhost, setServername(b.example): b.example is sent, localhost is checked',
    options: { servername: 'localhost' },
    set: 'b.example',
    expect: { sni: 'b.example', authorized: true, servername: 'b.example' },
  },
  {
    name: 'servername b.example, setServername(localhost): localhost is sent, b.example is checked',
    options: { servername: 'b.example' },
    set: 'localhost',
    expect: { sni: 'localhost', code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: 'b.example' },
  },
  {
    name: 'no servername, host 127.0.0.1, setServername(a.example): a.example is sent, the IP address is checked',
    options: {},
    set: 'a.example',
    expect: { sni: 'a.example', code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: '127.0.0.1' },
  },
];

for (const c of CASES) {
  test(`setServername() right after connect(), ${c.name}: node:tls and hush alike`, async () => {
    const results: Record<string, Outcome> = {};
    for (const client of CLIENTS) {
      const out = await run(client.connect, c.options, (s) => setServername(s, c.set));
      assert.deepEqual(out.sni, [c.expect.sni], `${client.name}: the SNI the server saw`);
      if (c.expect.authorized !== undefined) {
        assert.equal(out.authorized, c.expect.authorized, `${client.name}: authorized`);
        assert.equal(out.servername, c.expect.servername, `${client.name}: servername at secureConnect`);
        assert.equal(out.code, undefined, `${client.name}: no error`);
      } else {
        assert.equal(out.code, c.expect.code, `${client.name}: error code`);
        assert.equal(out.host, c.expect.host, `${client.name}: the name checked`);
      }
      results[client.name] = out;
    }
    assert.deepEqual({ ...results['hush'], servername: undefined, authorized: undefined }, { ...results['node:tls'], servername: undefined, authorized: undefined });
  });
}

test('setServername() twice before the hello: the last name is sent (node:tls and hush)', async () => {
  for (const client of CLIENTS) {
    const out = await run(client.connect, { servername: 'localhost' }, (s) => {
      setServername(s, 'b.example');
      setServername(s, 'a.example');
    });
    assert.deepEqual(out.sni, ['a.example'], client.name);
    assert.equal(out.authorized, true, client.name);
  }
});

test("setServername() argument errors are node's, on client and server sockets", async () => {
  const nodeSocket = tls.connect({ host: '127.0.0.1', port, ca: ca.pem, servername: 'localhost' });
  const hushSocket = connect({ host: '127.0.0.1', port, ca: ca.pem, servername: 'localhost' });
  try {
    for (const bad of [123, undefined, null, { toString: () => 'a.example' }]) {
      let expected: Error | undefined;
      try {
        setServername(nodeSocket, bad as string);
      } catch (e) {
        expected = e as Error;
      }
      assert.ok(expected, `node throws for ${String(bad)}`);
      assert.throws(() => hushSocket.setServername(bad as string), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: expected.message });
    }
  } finally {
    nodeSocket.destroy();
    hushSocket.destroy();
  }

  // Server-side sockets (a node:tls server and a hush server, reached by a hush client).
  const errors: unknown[] = [];
  const servers = [
    tls.createServer({ key: privateKeyPem(serverKey), cert: serverCert.pem }, (s) => onServerSocket(s)),
    createServer({ key: privateKeyPem(serverKey), cert: serverCert.pem }, (s) => onServerSocket(s)),
  ];
  function onServerSocket(s: AnySocket): void {
    for (const name of ['x.example', 42]) {
      try {
        setServername(s, name as string);
        errors.push(undefined);
      } catch (e) {
        const err = e as Error & { code?: string };
        errors.push({ name: err.name, code: err.code, message: err.message });
      }
    }
    s.end();
  }
  for (const srv of servers) {
    const p = await listen(srv);
    const c = connect({ host: '127.0.0.1', port: p, ca: ca.pem, servername: 'localhost' });
    c.on('error', () => {});
    c.resume();
    await closed(c);
    await shut(srv);
  }
  const fromServer = { name: 'Error', code: 'ERR_TLS_SNI_FROM_SERVER', message: 'Cannot issue SNI from a TLS server-side socket' };
  const notString = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "name" argument must be of type string. Received type number (42)' };
  assert.deepEqual(errors, [fromServer, notString, fromServer, notString], 'node:tls server socket, then hush server socket');
});

test('hush: setServername() in a connect listener still counts; once the hello left it throws saying when to call it', async () => {
  const tooLate = { name: 'UsageError', code: 'ERR_HUSH_USAGE', message: /already started.*right after connect\(\)/ };
  // In a 'connect' listener the hello is not built yet (node aborts the process here).
  const early = await run(connect as unknown as Connect, { servername: 'localhost' }, (s) => s.once('connect', () => setServername(s, 'a.example')));
  assert.deepEqual(early.sni, ['a.example']);
  assert.equal(early.authorized, true);

  sniSeen = [];
  const s = connect({ host: '127.0.0.1', port, ca: ca.pem, servername: 'localhost' });
  await once(s, 'secureConnect');
  assert.throws(() => setServername(s, 'a.example'), tooLate);
  assert.equal(s.servername, 'localhost', 'unchanged by the refused call');
  s.resume();
  await closed(s);
  assert.deepEqual(sniSeen, ['localhost']);
  assert.throws(() => setServername(s, 'a.example'), { name: 'UsageError', message: /socket is closed/ });

  // Between 'connect' and the end of the handshake, too.
  const t = connect({ host: '127.0.0.1', port, ca: ca.pem, servername: 'localhost' });
  await once(t, 'connect');
  assert.throws(() => t.setServername('a.example'), tooLate);
  t.resume();
  await closed(t);
});

test("hush's rules: an IP address is never sent as SNI; '' sends the host", async () => {
  // node sends '127.0.0.1' here; hush sends no SNI (RFC 6066 §3) and checks localhost as asked.
  const ip = await run(connect as unknown as Connect, { servername: 'localhost' }, (s) => setServername(s, '127.0.0.1'));
  assert.deepEqual(ip.sni, ['']);
  assert.equal(ip.authorized, true);
  assert.equal(ip.servername, '127.0.0.1');
  // node sends no SNI for ''; hush sends the host (here 'localhost', over a socket to 127.0.0.1).
  const empty = await run(connect as unknown as Connect, { socket: net.connect(port, '127.0.0.1'), host: 'localhost', servername: 'a.example' }, (s) => setServername(s, ''));
  assert.deepEqual(empty.sni, ['localhost']);
  assert.equal(empty.authorized, true, 'a.example is checked');
  assert.equal(empty.servername, 'localhost');
});

test('hush: setServername() on new TLSSocket(socket) and on connect({ socket }) sends the new name', async () => {
  sniSeen = [];
  const bare = new TLSSocket(net.connect(port, '127.0.0.1'), { servername: 'localhost', ca: ca.pem });
  bare.setServername('a.example');
  await once(bare, 'secure');
  assert.equal(bare.authorized, true);
  bare.destroy();
  assert.deepEqual(sniSeen, ['a.example']);
  const raw = net.connect(port, '127.0.0.1');
  await once(raw, 'connect');
  const out = await run(connect as unknown as Connect, { socket: raw, servername: 'localhost' }, (s) => setServername(s, 'b.example'));
  assert.deepEqual(out.sni, ['b.example']);
  assert.equal(out.authorized, true);
});
