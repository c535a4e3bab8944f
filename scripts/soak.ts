/**
 * `npm run soak -- --seed S --rotations N`: the seeded chaos soak (harness/soak/soak.ts).
 *
 *   --seed S          what every choice derives from (default: a random one, printed)
 *   --rotations N     run steps until N passwords have been rotated (default 500)
 *   --from-step K     start at step K of that seed's sequence (to reproduce a failure there)
 *   --steps M         stop after M steps (`--from-step K --steps 1`: step K alone)
 *   --fault-rate F    more (F > 1) or fewer faults than the default mix
 *   --keep-going      go on after a failed check (default: stop at the first, keeping its evidence)
 *   --verbose         print the output of every faulted up
 *
 * Prints progress, then the report as a table; exits 0 when nothing was lost and every check
 * passed, 1 otherwise. Every server it starts listens on 127.0.0.1 and is stopped at the end, on
 * a failure and on Ctrl-C (a second Ctrl-C exits at once; the servers are killed on exit).
 */
import { randomBytes } from "crypto";
import { formatReport, runSoak } from "../harness/soak/soak";

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function number(name: string, fallback?: number): number | undefined {
  const v = option(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, not ${v}`);
    process.exit(2);
  }
  return n;
}

async function main() {
  const seed = option("seed") ?? randomBytes(4).toString("hex");
  const abort = new AbortController();
  let interrupted = 0;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (++interrupted > 1) process.exit(130);
      console.log(`\n${signal}: stopping the soak (the servers are stopped; again to exit at once)`);
      abort.abort();
    });
  }
  const report = await runSoak({
    seed,
    rotations: number("rotations", 500)!,
    fromStep: number("from-step"),
    maxSteps: number("steps"),
    faultRate: number("fault-rate"),
    keepGoing: process.argv.includes("--keep-going"),
    verbose: process.argv.includes("--verbose"),
    signal: abort.signal,
  });
  console.log(`\n${formatReport(report)}\n`);
  const ok = !report.aborted && report.lost === 0 && report.failures.length === 0;
  console.log(ok ? "soak: nothing lost, every check passed" : `soak: FAILED (seed ${seed})`);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
