import type { Command } from './command.js';
import { verifyCommand } from './verify.js';
import { getCommand } from './get.js';
import { serveCommand } from './serve.js';
import { caCommand } from './ca.js';
import { echCommand } from './ech.js';

/** Every command, in the order `hush --help` lists them. */
export const commands: Command[] = [
  serveCommand,
  getCommand,
  caCommand,
  echCommand,
  verifyCommand,
];
