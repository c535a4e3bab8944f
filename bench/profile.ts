/**
 * `npx ts-node --transpile-only -P tsconfig.test.json bench/profile.ts DIR [--top K] [--json]`:
 * sums up what `npm run bench -- --profile DIR` recorded (per process, --cpu-prof's profile and
 * bench/profile-preload.js's module loads; one folder per stack and step), to say where a step's
 * CPU goes in the dynamic provider hosts and in the program.
 *
 * For every folder (scenario, N, round, step) and kind of process (provider: the dynamic
 * provider hosts; program: the language host's `cmd/run`), it prints the number of processes,
 * their busy CPU (profile samples that were not idle), their module loads' own CPU (each load's
 * resolve, read, compile and top level, without the loads it makes) by package, and the busy
 * CPU by where the code runs: a package of node_modules, a folder of pulumi-db-passwords'
 * dist/, Node's own code, the garbage collector.
 */
import * as fs from "fs";
import * as path from "path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface Load {
  request: string;
  filename: string;
  depth: number;
  atMs: number;
  wallMs: number;
  selfWallMs: number;
  selfCpuMs: number;
}

type Kind = "provider" | "program";

export interface Summary {
  processes: number;
  /** ms of profile samples that were not idle */
  busyMs: number;
  /** busy ms by where the code lives */
  by: Record<string, number>;
  /** CPU ms of module loads (their own), in all and by package */
  loadCpuMs: number;
  loadsBy: Record<string, number>;
}

/** Where a file lives: a package, a folder of ours, Node, or V8's own buckets. */
export function place(url: string, functionName = ""): string {
  if (!url) {
    if (functionName === "(garbage collector)") return "(gc)";
    if (functionName === "(program)") return "(v8: compile, parse, native)";
    return functionName.startsWith("(") ? functionName : "(native)";
  }
  if (url.startsWith("node:")) return "node (built-in)";
  const ours = /\/pulumi-db-passwords\/dist\/([^/]+)\//.exec(url);
  if (ours) return `ours: ${ours[1]}`;
  const pkg = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  return url.startsWith("file:") || url.startsWith("/") ? "program" : "(other)";
}

const empty = (): Summary => ({ processes: 0, busyMs: 0, by: {}, loadCpuMs: 0, loadsBy: {} });

function addProfile(s: Summary, profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)!;
    if (frame.functionName === "(idle)") return;
    s.busyMs += ms;
    const where = place(frame.url, frame.functionName);
    s.by[where] = (s.by[where] ?? 0) + ms;
  });
}

function addLoads(s: Summary, loads: Load[]): void {
  s.processes++;
  for (const l of loads) {
    const where = place(l.filename.startsWith("node:") ? l.filename : `file://${l.filename}`);
    s.loadCpuMs += l.selfCpuMs;
    s.loadsBy[where] = (s.loadsBy[where] ?? 0) + l.selfCpuMs;
  }
}

/** Every step folder of DIR: its summary per kind of process. */
export function summarizeDir(dir: string): Record<string, Partial<Record<Kind, Summary>>> {
  const out: Record<string, Partial<Record<Kind, Summary>>> = {};
  for (const step of fs.readdirSync(dir).sort()) {
    const folder = path.join(dir, step);
    if (!fs.statSync(folder).isDirectory()) continue;
    const kinds: Partial<Record<Kind, Summary>> = {};
    // the loads files say which process is which; --cpu-prof names its files CPU.<date>.<time>.<pid>.<tid>.<seq>
    const kindOfPid = new Map<string, Kind>();
    const files = fs.readdirSync(folder);
    for (const file of files) {
      const m = /^(provider|program)-(\d+)\.loads\.json$/.exec(file);
      if (!m) continue;
      kindOfPid.set(m[2], m[1] as Kind);
      addLoads((kinds[m[1] as Kind] ??= empty()), JSON.parse(fs.readFileSync(path.join(folder, file), "utf8")).loads);
    }
    for (const file of files) {
      const m = /^CPU\.\d+\.\d+\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(file);
      const kind = m && kindOfPid.get(m[1]);
      if (kind) addProfile(kinds[kind]!, JSON.parse(fs.readFileSync(path.join(folder, file), "utf8")));
    }
    out[step] = kinds;
  }
  return out;
}

const top = (by: Record<string, number>, k: number) =>
  Object.entries(by)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    .join(", ");

function main() {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: bench/profile.ts DIR [--top K] [--json]");
  const topIndex = process.argv.indexOf("--top");
  const k = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 6;
  const all = summarizeDir(dir);
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(all, null, 2));
    return;
  }
  for (const [step, kinds] of Object.entries(all)) {
    for (const kind of ["provider", "program"] as Kind[]) {
      const s = kinds[kind];
      if (!s) continue;
      console.log(
        `${step} ${kind} x${s.processes}: busy ${s.busyMs.toFixed(0)} ms CPU\n` +
          `    by code:  ${top(s.by, k)}\n` +
          `    loading ${s.loadCpuMs.toFixed(0)} ms CPU: ${top(s.loadsBy, k)}`,
      );
    }
  }
}

if (require.main === module) main();
