#!/usr/bin/env node
// The hush command line. Each command lives in its own file under ./commands and registers here.
import { commands } from './commands/index.js';

function usage(): string {
  const lines = [
    'hush — HTTPS from the handshake up (TLS 1.3 in TypeScript)',
    '',
    'Usage: hush <command> [options]',
    '',
    'Commands:',
  ];
  for (const c of commands) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', "Run 'hush <command> --help' for a command's options.");
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log('hush 0.1.0');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`hush: unknown command '${name}'.\n\n${usage()}`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`hush: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
