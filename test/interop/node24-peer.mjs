// A node:tls peer run by Node 24 (tools/node24, bundling OpenSSL 3.5 with ML-KEM and the hybrid
// groups) for hush's post-quantum interop tests. Plain JavaScript, no imports outside node:*, so
// Node 24 runs it directly (test/interop/node24.ts starts it as a child process).
//
//   node24 node24-peer.mjs server '{"cert":"chain.pem","key":"key.pem","ecdhCurve":"X25519MLKEM768"}'
//     prints "LISTENING <port>", then for each connection "SECURE {json}" (protocol, cipher) or
//     "CLIENTERROR {json}" (code, message, alert); echoes every byte back. Runs until killed.
//   node24 node24-peer.mjs client '{"port":1234,"ca":"ca.pem","servername":"localhost","ecdhCurve":"..."}'
//     connects to 127.0.0.1, sends "ping\n", waits for it to come back and prints one line
//     "RESULT {json}": {ok: true, protocol, cipher, group, echoed} or {ok: false, code, message, alert}.
//     group is getEphemeralKeyInfo().name (Node 24 names the hybrids, type 'TLSGroup').
// Omit ecdhCurve for Node 24's default groups. Every wait is bounded (10 s).
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [mode, json] = process.argv.slice(2);
const opts = JSON.parse(json ?? '{}');
const line = (tag, obj) => process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
/** OpenSSL's message carries the alert it received: "... SSL alert number 40". */
const alertOf = (message) => {
  const m = /SSL alert number (\d+)/.exec(message ?? '');
  return m ? Number(m[1]) : null;
};
const curve = opts.ecdhCurve ? { ecdhCurve: opts.ecdhCurve } : {};

setTimeout(() => {
  if (mode === 'client') {
    line('RESULT', { ok: false, code: 'TIMEOUT', message: 'no result within 10 s', alert: null });
    process.exit(1);
  }
}, 10_000).unref();

if (mode === 'server') {
  const server = tls.createServer(
    { cert: readFileSync(opts.cert), key: readFileSync(opts.key), minVersion: 'TLSv1.3', ...curve },
    (socket) => {
      line('SECURE', { protocol: socket.getProtocol(), cipher: socket.getCipher().standardName });
      socket.on('error', () => {});
      socket.pipe(socket);
    },
  );
  server.on('tlsClientError', (e) => line('CLIENTERROR', { code: e.code ?? null, message: e.message.split('\n')[0], alert: alertOf(e.message) }));
  server.listen(0, '127.0.0.1', () => line('LISTENING', server.address().port));
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'client') {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: opts.port,
    servername: opts.servername ?? 'localhost',
    ca: readFileSync(opts.ca),
    minVersion: 'TLSv1.3',
    ...curve,
  });
  let got = '';
  socket.on('secureConnect', () => {
    socket.write('ping\n');
  });
  socket.setEncoding('utf8');
  socket.on('data', (d) => {
    got += d;
    if (got.includes('\n')) {
      const info = socket.getEphemeralKeyInfo();
      line('RESULT', { ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().standardName, group: info?.name ?? null, echoed: got === 'ping\n' });
      socket.end();
      process.exitCode = 0;
    }
  });
  socket.on('error', (e) => {
    line('RESULT', { ok: false, code: e.code ?? null, message: e.message.split('\n')[0], alert: alertOf(e.message) });
    process.exit(0);
  });
  socket.on('close', () => process.exit(0));
} else {
  process.stderr.write(`usage: node24-peer.mjs server|client JSON\n`);
  process.exit(2);
}
