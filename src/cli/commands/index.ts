import type { Command } from './command.js';
import { verifyCommand } from './verify.js';

/** Every command, in the order `hush --help` lists them. */
export const commands: Command[] = [
  verifyCommand,
];
