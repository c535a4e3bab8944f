import { execFile } from "child_process";
import * as path from "path";
import { milvusVenv } from "./tools";

/** Asks pymilvus, an independent client, whether `user` logs in with `password`. */
export async function pymilvusCanLogin(address: string, user: string, password: string): Promise<boolean> {
  const python = path.join(milvusVenv(), "bin", "python");
  const script = path.join(__dirname, "pymilvus_login.py");
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile(python, [script], { timeout: 60000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pymilvus check failed: ${stderr.replace(password, "[redacted]")}`)) : resolve(stdout),
    );
    child.stdin!.end(JSON.stringify({ address, user, password }));
  });
  const result = JSON.parse(out.trim().split("\n").pop()!) as { ok: boolean; error: string | null };
  if (!result.ok && result.error && !/UNAUTHENTICATED|auth|password/i.test(result.error)) {
    throw new Error(`pymilvus could not ask the server: ${result.error}`);
  }
  return result.ok;
}
