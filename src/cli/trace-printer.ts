// Prints trace events for `--trace` (numbered plain-words steps) and `--trace-json` (JSON lines).
// For --trace-json the contract is that the last line of a handshake is its `established` or
// `failed` event, so events that follow `established` (request sent, tickets...) are printed
// before it, when the printer is finished.
import type { TraceEvent } from '../handshake/trace.js';

export type TraceMode = 'off' | 'text' | 'json';

export class TracePrinter {
  private step = 0;
  private held: TraceEvent | undefined;

  constructor(
    private readonly mode: TraceMode,
    private readonly out: (line: string) => void = (l) => process.stderr.write(l + '\n'),
    private readonly prefix = '',
  ) {}

  get enabled(): boolean {
    return this.mode !== 'off';
  }

  event(ev: TraceEvent): void {
    if (this.mode === 'off') return;
    if (this.mode === 'json') {
      if (ev.event === 'established') {
        this.held = ev;
        return;
      }
      if (ev.event === 'failed') this.held = undefined;
      this.out(JSON.stringify(toJson(ev)));
      return;
    }
    this.step++;
    this.out(`${this.prefix}${String(this.step).padStart(2)}. ${ev.message}`);
  }

  /** A local note (not from the TLS core), e.g. "connecting to 127.0.0.1:8443". */
  note(event: string, message: string, fields: Record<string, unknown> = {}): void {
    this.event({ event, message, ...fields });
  }

  /** Flush a held `established` line (JSON mode): call when the exchange is over. */
  finish(): void {
    if (this.held) {
      this.out(JSON.stringify(toJson(this.held)));
      this.held = undefined;
    }
  }
}

/** JSON form: the event name first, then the fields, then the message. */
function toJson(ev: TraceEvent): Record<string, unknown> {
  const { event, message, ...rest } = ev;
  return { event, ...rest, message };
}
