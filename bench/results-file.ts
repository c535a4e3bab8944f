/**
 * What the bench's tools share: their `--name value` options (every tool, run.ts too); and for the
 * smaller ones (cql-logins.ts, cql-node-cost.ts, redis-tls.ts), their result file under results/,
 * stamped with the date, the machine and its load, and the way each runs its main function (a
 * failure prints its stack and exits 2).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The value after `--name` on the command line; `fallback` without the option or a value after it. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** Writes results/`name`.json: the date, the machine, the load average, then `fields`. */
export function writeResults(name: string, fields: Record<string, unknown>): void {
  const out = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
    loadAverage: os.loadavg(),
    ...fields,
  };
  fs.writeFileSync(path.join(__dirname, "results", `${name}.json`), JSON.stringify(out, null, 2) + "\n");
  console.log(`wrote bench/results/${name}.json`);
}

/** Runs a tool's `main`; a failure prints `name failed:` and its stack, and exits 2. */
export function runTool(name: string, main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(`${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(2);
  });
}
