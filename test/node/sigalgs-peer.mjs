// A node:tls peer that reports getSharedSigalgs(), run as a child process by Node 20 (the test's
// own node) and by Node 24 (tools/node24) for test/node/shared-sigalgs.test.ts. Plain JavaScript,
// node:* imports only.
//
//   node sigalgs-peer.mjs server '{"cert":"c.pem","key":"k.pem","requestCert":true,"maxVersion":"TLSv1.3","sigalgs":"...","honorCipherOrder":false}'
//     prints "LISTENING <port>", then "SHARED [json]" for each connection (and ends it). Runs until killed.
//   node sigalgs-peer.mjs client '{"port":1234,"maxVersion":"TLSv1.2","cert":"c.pem","key":"k.pem","sigalgs":"..."}'
//     connects to 127.0.0.1 (no verification: only the sigalgs matter), prints "SHARED [json]" and exits.
// Every wait is bounded (10 s).
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [mode, json] = process.argv.slice(2);
const o = JSON.parse(json ?? '{}');
const pick = (...names) => Object.fromEntries(names.filter((n) => o[n] !== undefined).map((n) => [n, o[n]]));
const files = o.cert ? { cert: readFileSync(o.cert), key: readFileSync(o.key) } : {};

if (mode === 'server') {
  const server = tls.createServer({ ...files, ...pick('requestCert', 'maxVersion', 'sigalgs', 'honorCipherOrder'), rejectUnauthorized: false }, (s) => {
    process.stdout.write(`SHARED ${JSON.stringify(s.getSharedSigalgs())}\n`);
    s.on('error', () => {});
    s.end();
  });
  server.on('tlsClientError', (e) => process.stdout.write(`CLIENTERROR ${e.message.split('\n')[0]}\n`));
  server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'client') {
  setTimeout(() => {
    process.stdout.write('ERROR timeout\n');
    process.exit(1);
  }, 10_000).unref();
  const c = tls.connect({ host: '127.0.0.1', port: o.port, servername: 'localhost', rejectUnauthorized: false, ...files, ...pick('maxVersion', 'sigalgs') }, () => {
    process.stdout.write(`SHARED ${JSON.stringify(c.getSharedSigalgs())}\n`);
    c.end();
  });
  c.on('data', () => {});
  c.on('error', (e) => {
    process.stdout.write(`ERROR ${e.message.split('\n')[0]}\n`);
    process.exit(1);
  });
  c.on('close', () => process.exit(0));
} else {
  process.stderr.write('usage: sigalgs-peer.mjs server|client JSON\n');
  process.exit(2);
}
