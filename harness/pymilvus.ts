import { execFile, spawn } from "child_process";
import * as path from "path";
import { redact } from "../provider/shared/redact";
import { milvusVenv } from "./tools";

/**
 * Runs one of our pymilvus scripts with `request` as JSON on stdin; its answer is the last
 * line of stdout, parsed. A failure's message holds none of `secrets`, in any encoding.
 */
function runScript(script: string, request: object, secrets: string[], timeoutMs: number, what: string): Promise<any> {
  const python = path.join(milvusVenv(), "bin", "python");
  return new Promise((resolve, reject) => {
    const child = execFile(python, [path.join(__dirname, script)], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (err) reject(new Error(`${what} failed: ${redact(`${last}\n${stderr}`, secrets)}`));
      else resolve(JSON.parse(last));
    });
    child.stdin!.end(JSON.stringify(request) + "\n");
  });
}

/** Asks pymilvus, an independent client, whether `user` logs in with `password`. */
export async function pymilvusCanLogin(address: string, user: string, password: string): Promise<boolean> {
  const request = { address, user, password };
  const result: { ok: boolean; error: string | null } = await runScript(
    "pymilvus_login.py",
    request,
    [password],
    60000,
    "pymilvus check",
  );
  if (!result.ok && result.error && !/UNAUTHENTICATED|auth|password/i.test(result.error)) {
    throw new Error(`pymilvus could not ask the server: ${result.error}`);
  }
  return result.ok;
}

const WITNESS = path.join(__dirname, "pymilvus_witness.py");

function witness(request: object, secrets: string[]): Promise<any> {
  return runScript("pymilvus_witness.py", request, secrets, 120000, "pymilvus witness");
}

export interface MilvusSetup {
  users?: Record<string, string>;
  /** role -> [object type, object name, privilege] grants */
  roles?: Record<string, Array<[string, string, string]>>;
  bind?: Record<string, string[]>;
  collection?: string;
}

/** With pymilvus as root: a collection with 3 rows, users, roles with grants, role bindings. */
export async function pymilvusSetup(address: string, root: [string, string], setup: MilvusSetup): Promise<void> {
  await witness({ action: "setup", address, root, ...setup }, [root[1], ...Object.values(setup.users ?? {})]);
}

export interface MilvusSnapshot {
  users: string[];
  userRoles: Record<string, string[]>;
  grants: Record<string, string[]>;
  collections: Record<string, number>;
  logins: Record<string, boolean>;
}

/** What the server holds, as pymilvus (root) sees it; `logins` are tried one by one. */
export function pymilvusSnapshot(
  address: string,
  root: [string, string],
  logins: Record<string, string> = {},
): Promise<MilvusSnapshot> {
  return witness({ action: "snapshot", address, root, logins }, [root[1], ...Object.values(logins)]);
}

/**
 * A pymilvus client that logs in once and keeps its connection: `call()` makes one call on
 * that connection, as a running service would.
 */
export async function pymilvusSession(
  address: string,
  user: string,
  password: string,
): Promise<{ call(): Promise<{ ok: boolean; error: string | null }>; close(): void }> {
  const python = path.join(milvusVenv(), "bin", "python");
  const child = spawn(python, [WITNESS], { stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = "";
  child.stdout!.on("data", (d) => {
    buffer += d;
    let i: number;
    while ((i = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<{ ok: boolean; error: string | null }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("pymilvus session did not answer")), 30000);
      const take = (line: string) => (clearTimeout(timer), resolve(JSON.parse(line)));
      const ready = lines.shift();
      if (ready !== undefined) take(ready);
      else waiting.push(take);
    });
  child.stdin!.write(JSON.stringify({ action: "session", address, user, password }) + "\n");
  const opened = await next();
  if (!opened.ok) throw new Error(`pymilvus session could not log in: ${opened.error}`);
  return {
    call: () => (child.stdin!.write("call\n"), next()),
    close: () => (child.stdin!.end("quit\n"), child.kill()),
  };
}
