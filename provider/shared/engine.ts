/**
 * Whether the Pulumi engine that started this provider process is still there.
 *
 * The CLI starts every plugin in a process group of its own, so when the CLI dies (SIGKILL,
 * an OOM kill, a cancelled CI job that kills only the CLI) the dynamic provider host lives
 * on, and nothing in it notices: the host's gRPC server keeps the process alive. A provider
 * still retrying a password change would then apply it after a later `pulumi up` has set
 * another password, and the database would no longer match state. Pulumi's Go providers
 * guard against this by polling the engine's address and shutting down when it is gone
 * (`pkg/resource/provider/main.go`); the Node.js dynamic provider host does not, so this
 * module does it for our resources:
 *
 * - `retry` asks `engineStillThere` before every new attempt and gives up when the engine is
 *   gone (the next `pulumi up` or `refresh` reconciles, as after any crash);
 * - the first provider operation of a process starts `watchEngine`, which ends an orphaned
 *   provider process once no operation of ours is running.
 *
 * The engine's address is the first argument of the dynamic provider host
 * (`node …/@pulumi/pulumi/cmd/dynamic-provider <engine address>`) and of the plugin
 * (`pulumi-resource-dbpasswords <engine address>`, which calls `useEngineAddress`). Anywhere
 * else (a Pulumi program, a unit test) there is no engine to watch and every check says it is
 * there.
 */
import * as net from "net";

export interface EngineAddress {
  host: string;
  port: number;
}

/**
 * The engine's address when this process is Pulumi's dynamic provider host; else undefined.
 * The CLI puts its own flags first (`--logtostderr`, `-v=9`, `--tracing <endpoint>` under
 * `--logflow` or `--tracing`), then the engine's address: the first argument that is not a flag.
 */
export function engineAddress(argv: readonly string[] = process.argv): EngineAddress | undefined {
  const script = (argv[1] ?? "").replace(/\\/g, "/");
  if (!/\/cmd\/dynamic-provider(\/index\.js)?$/.test(script)) return undefined;
  return engineArgument(argv.slice(2));
}

/** The engine's address among a plugin's arguments (after the CLI's flags), or undefined. */
export function engineArgument(args: readonly string[]): EngineAddress | undefined {
  let first: string | undefined;
  for (let i = 0; i < args.length && first === undefined; i++) {
    if (args[i] === "--tracing" || args[i] === "-tracing") i++;
    else if (!args[i].startsWith("-")) first = args[i];
  }
  const m = /^(?:(\[[^\]]+\]|[^:]+))?:(\d{1,5})$/.exec(first ?? "");
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (m[1] ?? "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}

/**
 * True only when the engine's port refuses connections: its process is gone. A connection
 * that is accepted, slow or fails in any other way counts as "still there", so that a busy
 * machine never makes a provider give up a change the engine is waiting for.
 */
export function engineGone(address: EngineAddress, timeoutMs = 2000): Promise<boolean> {
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

let cached: EngineAddress | undefined | null = null;
const ownEngine = () => (cached === null ? (cached = engineAddress()) : cached);

/** Sets the engine this process serves (the plugin, which knows it from its arguments). */
export function useEngineAddress(address: EngineAddress): void {
  cached = address;
}

/** False once the engine that started this process is gone; true wherever there is none. */
export async function engineStillThere(): Promise<boolean> {
  const address = ownEngine();
  return !address || !(await engineGone(address));
}

/** Operations of ours running in this process (counted by `guarded`). */
let running = 0;

export function operationStarted(): void {
  running++;
  watchEngine();
}

export function operationEnded(): void {
  running--;
}

/** How often an orphaned provider is looked for. */
export const ENGINE_WATCH_INTERVAL_MS = 5000;

let watching = false;

/**
 * Starts, once per process, a timer that ends the process when the engine is gone and none of
 * our operations is running (one that is running ends by itself: its retries stop). The
 * timer never keeps the process alive.
 */
export function watchEngine(
  address = ownEngine(),
  exit: () => void = () => process.exit(0),
  intervalMs = ENGINE_WATCH_INTERVAL_MS,
): NodeJS.Timeout | undefined {
  if (!address || watching) return undefined;
  watching = true;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || running > 0) return;
    checking = true;
    void engineGone(address).then((gone) => {
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
export function resetEngineWatch(): void {
  watching = false;
  running = 0;
  cached = null;
}
