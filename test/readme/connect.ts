// README's `connect` snippet, verbatim (test/package.test.ts checks they match; `npm run typecheck` checks it compiles).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { connect } from 'hush/node';

const caPem = readFileSync(`${homedir()}/.hush/ca.pem`, 'utf8');
const socket = connect({ host: 'localhost', port: 8443, ca: caPem, ALPNProtocols: ['http/1.1'] }, () => {
  console.log(socket.getProtocol(), socket.getCipher()?.standardName, socket.authorized);
  socket.end();
});
