/**
 * Runs the real Pulumi CLI (built from source by scripts/install-pulumi.sh) the way a user
 * does: `pulumi <args>` in a project directory, with a local file backend in a temporary
 * directory, a passphrase secrets provider, no update checks and no plugin downloads.
 */
import { ChildProcess, spawn } from "child_process";
import { killGroup } from "./support";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { programNodeBin, pulumiBin } from "./tools";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for leak checks. */
  all: string;
}

export function pulumiEnv(
  stateDir: string,
  extra: NodeJS.ProcessEnv = {},
  nodeBin: string = programNodeBin(),
): NodeJS.ProcessEnv {
  // The CLI's bin directory holds its bundled plugins too (pulumi-language-nodejs,
  // pulumi-resource-pulumi-nodejs), as in Pulumi's own distribution. Next comes the folder of
  // the Node that runs programs and plugins (Node 26 from the tool cache unless a test names
  // another; the language host, the dynamic provider host and the dbpasswords launcher all run
  // the first `node` on PATH).
  const pathParts = [pulumiBin(), nodeBin, process.env.PATH ?? ""];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: pathParts.join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase-not-a-secret",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_HOME: path.join(stateDir, ".pulumi-home"),
    PULUMI_SKIP_CONFIRMATIONS: "true",
    // TypeScript programs run without ts-node's type check (about 2 s of CPU a program run, twice
    // an `up`): `npm test` type-checks every program of the repository once, with tsc, before the
    // suites (tsconfig.test.json includes examples/, test/, harness/, demo/). A test that is about
    // a user's own project (test/e2e/install.test.ts) sets it back to "false".
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    NO_COLOR: "1",
    ...extra,
  };
  // The tests' own tool locations must not leak into programs; credentials come per test.
  for (const k of Object.keys(env)) if (/^(MILVUS|HW|CASSANDRA)_/.test(k) && !(k in extra)) delete env[k];
  // The test runner's ts-node settings are not the programs' (each example has its tsconfig).
  for (const k of Object.keys(env)) if (k.startsWith("TS_NODE_")) delete env[k];
  return env;
}

export class PulumiProject {
  readonly stateDir: string;
  /** `nodeBin`: the folder of the `node` that runs the program (default: programNodeBin()). */
  constructor(
    readonly dir: string,
    readonly stack: string,
    private readonly extraEnv: NodeJS.ProcessEnv = {},
    private readonly nodeBin?: string,
  ) {
    this.stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-state-"));
  }

  /** `pulumi <args>` in the project directory. Never throws on a non-zero exit. */
  run(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
    return this.start(args, opts).done;
  }

  /**
   * Starts `pulumi <args>` in a process group of its own, so that a test can kill the CLI or
   * one plugin mid-run. The CLI starts each plugin (language host, providers) in a group of
   * its own too: to stop a whole run, kill every process below the CLI (`descendants`).
   */
  start(
    args: string[],
    opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
  ): { child: ChildProcess; done: Promise<CliResult> } {
    const env = pulumiEnv(this.stateDir, { ...this.extraEnv, ...opts.env }, this.nodeBin);
    const child = spawn(path.join(pulumiBin(), "pulumi"), args, {
      cwd: this.dir,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const done = new Promise<CliResult>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d) => (stdout += d));
      child.stderr!.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => killGroup(child.pid!, "SIGKILL"), opts.timeoutMs ?? 300000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, all: stdout + stderr });
      });
      child.stdin!.end(opts.input ?? "");
    });
    return { child, done };
  }

  /** Like run, but fails with the CLI's output when the exit code is not 0. */
  async ok(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.all}`);
    return r;
  }

  async init(config: Record<string, string>, secrets: Record<string, string>): Promise<void> {
    await this.ok(["stack", "init", this.stack]);
    for (const [k, v] of Object.entries(config)) await this.ok(["config", "set", k, v]);
    for (const [k, v] of Object.entries(secrets)) await this.setSecret(k, v);
  }

  /** `pulumi config set --secret KEY` with the value on stdin, as a pipeline would. */
  setSecret(key: string, value: string): Promise<CliResult> {
    return this.ok(["config", "set", "--secret", key], { input: value });
  }

  async exportState(showSecrets = false): Promise<{ text: string; json: any }> {
    const r = await this.ok(["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])]);
    return { text: r.stdout, json: JSON.parse(r.stdout) };
  }

  async cleanup(): Promise<void> {
    await this.run(["stack", "rm", "--yes", "--force", this.stack]);
    fs.rmSync(this.stateDir, { recursive: true, force: true });
    fs.rmSync(path.join(this.dir, `Pulumi.${this.stack}.yaml`), { force: true });
  }
}

/**
 * Pulumi's local file backend writes `<stack>.json.attrs` beside each checkpoint; a CLI killed
 * while writing it can leave it empty, and every later command on the stack then fails with
 * "failed to load checkpoint: EOF" (the checkpoint itself is whole). What the README's
 * troubleshooting tells a user to do: delete the empty file. How many it deleted.
 */
export function repairFileBackend(stateDir: string): number {
  const dir = path.join(stateDir, ".pulumi", "stacks");
  if (!fs.existsSync(dir)) return 0;
  const empty = fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith(".json.attrs") && fs.statSync(f).size === 0);
  for (const f of empty) fs.rmSync(f);
  return empty.length;
}

/** The dynamic resources of an exported deployment. */
export function dynamicResources(deployment: any): any[] {
  return (deployment?.deployment?.resources ?? []).filter((r: any) =>
    String(r.type).startsWith("pulumi-nodejs:dynamic"),
  );
}

/** The resources of an exported deployment served by the dbpasswords plugin. */
export function pluginResources(deployment: any): any[] {
  return (deployment?.deployment?.resources ?? []).filter((r: any) => String(r.type).startsWith("dbpasswords:index:"));
}
