/**
 * A server process the harness starts and owns (embedded Milvus, a Cassandra node, the
 * provider plugin): spawned in a process group of its own, its stdout and stderr kept (in a
 * file, or in memory), polled until it is ready, and stopped with its whole group: SIGTERM,
 * then SIGKILL after a grace period. A daemon still running when the test process exits is
 * killed then (SIGKILL to its group), so that no run leaves a server behind.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { killGroup, waitFor } from "./support";

export interface DaemonOptions {
  /** Its name in messages ("milvus-server"). */
  name: string;
  command: string;
  args: string[];
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** The file its stdout and stderr are appended to; without one, both are kept in memory (`output`). */
  logFile?: string;
  /** The file a server writes its own log to, when not to stdout: named and tailed in messages (default logFile). */
  serverLog?: string;
  /** What it does once ready, for messages ("accept root's login"). */
  readyWhen: string;
  /** Polled until it holds (a rejection counts as not yet), while the process runs. */
  ready: (daemon: Daemon) => boolean | Promise<boolean>;
  /** How long it may take to become ready (default 120000 ms), and the polling interval (default 500 ms). */
  readyTimeoutMs?: number;
  pollMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL (default 10000 ms; 0: SIGKILL at once). */
  graceMs?: number;
}

export interface Daemon {
  readonly child: ChildProcess;
  /** What it wrote, when it has no logFile (everything, each stream in order). */
  readonly output: { stdout: string; stderr: string };
  /** The last `lines` lines of its log (serverLog, logFile or memory), for error messages. */
  logTail(lines?: number): string;
  /** Stops its whole group (SIGTERM, SIGKILL after the grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => running.forEach((c) => killGroup(c.pid, "SIGKILL")));

/** The last `lines` lines of a file (of its last 16 KiB), or "" when it cannot be read. */
function fileTail(file: string, lines: number): string {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, 16384);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, size - length);
      return textTail(buf.toString("utf8"), lines);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return "";
  }
}

function textTail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Starts `command` in a process group of its own and resolves once `ready` holds. If it exits
 * first, or is not ready in time, its group is killed and the error names its log and quotes
 * the log's last lines.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.logFile === undefined ? undefined : fs.openSync(options.logFile, "a");
  const child = spawn(options.command, options.args, {
    env: options.env ? { ...process.env, ...options.env } : process.env,
    detached: true,
    stdio: log === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", log, log],
  });
  if (log !== undefined) fs.closeSync(log); // the child has its own descriptor
  running.add(child);
  const output = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d) => (output.stdout += d));
  child.stderr?.on("data", (d) => (output.stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let failedToSpawn: Error | undefined;
  child.once("error", (e) => (failedToSpawn = e));
  const logName = options.serverLog ?? options.logFile;
  const see = logName ? `; see ${logName}` : "";
  const graceMs = options.graceMs ?? 10000;

  const daemon: Daemon = {
    child,
    output,
    logTail(lines = 20) {
      return logName ? fileTail(logName, lines) : textTail(`${output.stdout}\n${output.stderr}`, lines);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid, graceMs > 0 ? "SIGTERM" : "SIGKILL");
        const timer = graceMs > 0 ? setTimeout(() => killGroup(child.pid, "SIGKILL"), graceMs) : undefined;
        await exited;
        clearTimeout(timer);
      }
      // a server's own children may outlive it: make sure the group is gone
      killGroup(child.pid, "SIGKILL");
      running.delete(child);
    },
  };

  const gone = () => failedToSpawn !== undefined || child.exitCode !== null || child.signalCode !== null;
  const how = () =>
    failedToSpawn ? `could not start (${failedToSpawn.message})` : `exited with ${child.exitCode ?? child.signalCode}`;
  try {
    await waitFor(
      () => (gone() ? `${options.name}, which ${how()}${see}` : `${options.name} to ${options.readyWhen}${see}`),
      async () => gone() || (await options.ready(daemon)),
      options.readyTimeoutMs ?? 120000,
      options.pollMs ?? 500,
    );
    if (gone()) throw new Error(`${options.name} ${how()}${see}`);
  } catch (err) {
    killGroup(child.pid, "SIGKILL");
    running.delete(child);
    const tail = daemon.logTail();
    throw new Error(`${(err as Error).message}${tail ? `\n--- its last lines:\n${tail}` : ""}`, { cause: err });
  }
  return daemon;
}

/**
 * The stop, restart and destroy of a server the harness runs in `dir` as a daemon: `launch`
 * starts it (again), `current` is the daemon running now.
 */
export function daemonControls(dir: string, launch: () => Promise<void>, current: () => Daemon | undefined) {
  return {
    /** Stops the server (SIGTERM, then SIGKILL); `restart` starts it again, on the same port. */
    stop: async () => {
      await current()?.stop();
    },
    restart: launch,
    /** Stops the server and removes its directory. */
    async destroy() {
      await current()?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What every harness server offers to end it: stop, restart, destroy. */
export type DaemonControls = ReturnType<typeof daemonControls>;
