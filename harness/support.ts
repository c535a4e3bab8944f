/**
 * What the demo, the tests and the benchmark repeat: waiting (for a time or a condition),
 * reading a secret out of a --show-secrets export, finding or ending processes, taking a free
 * port, and removing a server's directory at exit. (Starting and stopping a server process:
 * harness/daemon.)
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";

/**
 * Resolves after `ms`. `unref`: the timer does not keep the process alive (a test server's
 * scripted waits, which must not hold a finished run open).
 */
export function sleep(ms: number, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (options.unref) timer.unref();
  });
}

/**
 * Polls `ready` (sync or async; a rejection counts as not yet) every `intervalMs` until it
 * holds; throws "timed out waiting for <what>" after `timeoutMs`. `what` may be a function,
 * so that the message can say what was seen last.
 */
export async function waitFor(
  what: string | (() => string),
  ready: () => boolean | Promise<boolean>,
  timeoutMs = 20000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(ready)
        .catch(() => false)
    )
      return;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
    await sleep(intervalMs);
  }
}

/**
 * A secret's value in a --show-secrets export ({ <sig>, plaintext: "<JSON of the value>" });
 * other values as they are.
 */
export function secretValue(v: any): unknown {
  return typeof v?.plaintext === "string" ? JSON.parse(v.plaintext) : v;
}

/** Sends `signal` to every process of the group `pgid` (a child spawned with `detached: true`). */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (!pgid) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** The processes below `pid` (children, grandchildren, ...), with their command lines. */
export function descendants(pid: number): Array<{ pid: number; args: string }> {
  const rows = processes();
  const out: Array<{ pid: number; args: string }> = [];
  const walk = (parent: number) => {
    for (const r of rows.filter((x) => x.ppid === parent)) {
      out.push({ pid: r.pid, args: r.args });
      walk(r.pid);
    }
  };
  walk(pid);
  return out;
}

/** Dynamic provider processes (node running @pulumi/pulumi's cmd/dynamic-provider): under `root`, or all. */
export function dynamicProviderPids(root?: number): number[] {
  return (root === undefined ? processes() : descendants(root))
    .filter((p) => /dynamic-provider/.test(p.args) && /\bnode\b/.test(p.args))
    .map((p) => p.pid);
}

function processes(): Array<{ pid: number; ppid: number; args: string }> {
  return execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
}

/** A TCP port on 127.0.0.1 that nothing listens on now (every server of the tests takes one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const dirs = new Set<string>();
process.on("exit", () => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Removes `dir` when the test process exits (a server's directory, if its owner did not). */
export function removeOnExit(dir: string): void {
  dirs.add(dir);
}
