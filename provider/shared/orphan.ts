/**
 * Whether the Pulumi CLI that started this provider process is still there, and the watch that
 * ends an orphaned provider process.
 *
 * The CLI starts every plugin in a process group of its own, so when the CLI dies (SIGKILL,
 * an OOM kill, a cancelled CI job that kills only the CLI) the dynamic provider host lives
 * on, and nothing in it notices: the host's gRPC server keeps the process alive. A provider
 * still retrying a password change would then apply it after a later `pulumi up` has set
 * another password, and the database would no longer match state. Pulumi's Go providers
 * guard against this by polling the CLI's address and shutting down when it is gone
 * (`pkg/resource/provider/main.go`); the Node.js dynamic provider host does not, so this
 * module does it for our resources:
 *
 * - `retry` asks `pulumiStillThere` before every new attempt and gives up when Pulumi is
 *   gone (the next `pulumi up` or `refresh` reconciles, as after any crash);
 * - the first provider operation of a process starts `watchPulumi`, which ends an orphaned
 *   provider process once no operation of ours is running.
 *
 * Pulumi's address is the first argument of the dynamic provider host
 * (`node …/@pulumi/pulumi/cmd/dynamic-provider <address>`) and of the plugin
 * (`pulumi-resource-dbpasswords <address>`, which calls `usePulumiAddress`). Anywhere else (a
 * Pulumi program, a unit test) there is no Pulumi to watch and every check says it is there.
 */
import * as net from "net";
import { portInRange, splitHostPort } from "./address";

/** Where the CLI that started this process serves Pulumi's gRPC services. */
export interface PulumiAddress {
  host: string;
  port: number;
}

/**
 * Pulumi's address when this process is Pulumi's dynamic provider host; else undefined.
 * The CLI puts its own flags first (`--logtostderr`, `-v=9`, `--tracing <endpoint>` under
 * `--logflow` or `--tracing`), then its address: the first argument that is not a flag.
 */
export function pulumiAddress(argv: readonly string[] = process.argv): PulumiAddress | undefined {
  const script = (argv[1] ?? "").replace(/\\/g, "/");
  if (!/\/cmd\/dynamic-provider(\/index\.js)?$/.test(script)) return undefined;
  return pulumiArgument(argv.slice(2));
}

/** Pulumi's address among a plugin's arguments (after the CLI's flags), or undefined. */
export function pulumiArgument(args: readonly string[]): PulumiAddress | undefined {
  let first: string | undefined;
  for (let i = 0; i < args.length && first === undefined; i++) {
    if (args[i] === "--tracing" || args[i] === "-tracing") i++;
    else if (!args[i].startsWith("-")) first = args[i];
  }
  // host:port, [v6]:port, or :port on this machine
  const address = splitHostPort(first ?? "", { host: "127.0.0.1" });
  return address && portInRange(address.port) ? address : undefined;
}

/**
 * True only when Pulumi's port refuses connections: its process is gone. A connection that is
 * accepted, slow or fails in any other way counts as "still there", so that a busy machine
 * never makes a provider give up a change the CLI is waiting for.
 */
export function pulumiGone(address: PulumiAddress, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port });
    const done = (gone: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(gone);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => done(false));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED"));
  });
}

let cached: PulumiAddress | undefined | null = null;
const ownPulumi = () => (cached === null ? (cached = pulumiAddress()) : cached);

/** Sets the Pulumi this process serves (the plugin, which knows it from its arguments). */
export function usePulumiAddress(address: PulumiAddress): void {
  cached = address;
}

/** False once the Pulumi that started this process is gone; true wherever there is none. */
export async function pulumiStillThere(): Promise<boolean> {
  const address = ownPulumi();
  return !address || !(await pulumiGone(address));
}

/** Operations of ours running in this process (counted by `guarded`). */
let running = 0;

export function operationStarted(): void {
  running++;
  watchPulumi();
}

export function operationEnded(): void {
  running--;
}

/** How often an orphaned provider is looked for. */
export const PULUMI_WATCH_INTERVAL_MS = 5000;

let watching = false;

/**
 * Starts, once per process, a timer that ends the process when Pulumi is gone and none of our
 * operations is running (one that is running ends by itself: its retries stop). The timer
 * never keeps the process alive.
 */
export function watchPulumi(
  address = ownPulumi(),
  exit: () => void = () => process.exit(0),
  intervalMs = PULUMI_WATCH_INTERVAL_MS,
): NodeJS.Timeout | undefined {
  if (!address || watching) return undefined;
  watching = true;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || running > 0) return;
    checking = true;
    void pulumiGone(address).then((gone) => {
      checking = false;
      if (gone && running === 0) {
        clearInterval(timer);
        exit();
      }
    });
  }, intervalMs);
  timer.unref();
  return timer;
}

/** For tests: forget the watch and the count, as in a new process. */
export function resetPulumiWatch(): void {
  watching = false;
  running = 0;
  cached = null;
}
