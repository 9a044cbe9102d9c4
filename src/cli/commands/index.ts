import type { Command } from './command.js';

/** Every command, in the order `hush --help` lists them. */
export const commands: Command[] = [];
