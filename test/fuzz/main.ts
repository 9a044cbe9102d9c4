// npm run fuzz -- --seconds N [--target NAME,...] [--seed S]: fuzz every target (or the named
// ones) for N seconds in total, print iterations/s per target and every finding with its seed,
// iteration and input, and keep found inputs as regression cases.
import { allTargets } from './targets.js';
import { runJobs } from './driver.js';
import { loadRegressions, saveRegression } from './regressions.js';
import type { TargetStats } from './engine.js';

const HELP = `Usage: npm run fuzz -- [options]

Deterministic mutation fuzzing of hush's decoders and of both connection sides (see DEVELOPERS.md).

Options:
  --seconds N        total time, shared equally by the targets (default 60)
  --iterations N     inputs per target instead of a time budget
  --target NAME,...  only these targets (substrings match; --list shows them)
  --seed S           the seed (default 1); the same seed replays the same inputs
  --hang-ms MS       watchdog: one input running longer than this is a hang (default 10000)
  --no-save          do not write found inputs to test/fuzz/regressions/
  --list             list the targets and exit
  --help             this text

Examples:
  nice -n 10 npm run fuzz -- --seconds 600
  npm run fuzz -- --seconds 30 --target conn-tls12 --seed 7`;

function fail(message: string): never {
  console.error(`fuzz: ${message} (see --help)`);
  process.exit(2);
}

interface Args {
  seconds: number;
  iterations?: number;
  targets: string[];
  seed: number;
  hangMs: number;
  save: boolean;
}

function parseArgs(argv: string[]): Args | undefined {
  const a: Args = { seconds: 60, targets: [], seed: 1, hangMs: 10_000, save: true };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) fail(`${flag} needs a number ≥ ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    switch (f) {
      case '--seconds': a.seconds = num(f, argv[++i], 1); break;
      case '--iterations': a.iterations = Math.floor(num(f, argv[++i], 1)); break;
      case '--target': a.targets.push(...(argv[++i] ?? fail('--target needs a name')).split(',').filter(Boolean)); break;
      case '--seed': a.seed = Math.floor(num(f, argv[++i], 0)) >>> 0; break;
      case '--hang-ms': a.hangMs = num(f, argv[++i], 100); break;
      case '--no-save': a.save = false; break;
      case '--list':
        for (const t of allTargets()) console.log(`${t.name.padEnd(24)} ${t.kind}`);
        return undefined;
      case '--help': case '-h':
        console.log(HELP);
        return undefined;
      default: fail(`unknown option '${f}'`);
    }
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) return;
  const targets = allTargets().filter((t) => args.targets.length === 0 || args.targets.some((n) => t.name.includes(n)));
  if (targets.length === 0) fail(`no target matches ${args.targets.join(', ')}`);
  const each = args.seconds / targets.length;
  console.log(`fuzzing ${targets.length} targets, seed ${args.seed}, ${args.iterations !== undefined ? `${args.iterations} inputs` : `${each.toFixed(1)} s`} each`);
  const jobs = targets.map((t) => ({
    target: t.name,
    replay: loadRegressions(t.name),
    ...(args.iterations !== undefined ? { iterations: args.iterations } : { seconds: each }),
  }));
  const all: TargetStats[] = await runJobs(jobs, {
    seed: args.seed,
    hangMs: args.hangMs,
    onStats(s, heap) {
      const rate = s.ms > 0 ? (s.iterations / (s.ms / 1000)).toFixed(0) : '-';
      const outcomes = Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(', ');
      const heapText = heap === undefined ? '' : `, heap ${(heap / 1048576).toFixed(0)} MB`;
      console.log(`${s.target.padEnd(24)} ${String(s.iterations).padStart(8)} inputs ${rate.padStart(7)}/s  replayed ${s.replayed}  [${outcomes}]${heapText}`);
    },
  });
  const findings = all.flatMap((s) => s.findings);
  const total = all.reduce((n, s) => n + s.iterations, 0);
  console.log(`\n${total} inputs, ${findings.length} finding(s)`);
  for (const f of findings) {
    console.log(`\nFAIL ${f.target}: ${f.kind}${f.seed === undefined ? ' (regression input)' : ` — seed ${f.seed}, iteration ${f.iteration}`}`);
    if (f.description) console.log(`  ${f.description}`);
    console.log(`  ${f.message.split('\n').slice(0, 6).join('\n  ')}`);
    const hex = Buffer.from(f.input).toString('hex');
    console.log(`  input (${f.input.length} bytes): ${hex.length > 400 ? hex.slice(0, 400) + '…' : hex}`);
    if (args.save) console.log(`  saved as ${saveRegression(f)}`);
  }
  process.exitCode = findings.length > 0 ? 1 : 0;
}

await main();
