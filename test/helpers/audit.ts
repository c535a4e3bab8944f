/**
 * The state audit of the plugin's resources after a CLI step: no secret in plain text in the
 * plain export, in any file of the backend (the stack, its history and backups), or in any CLI
 * output; every secret field of the resource specs (nested ones included) encrypted in the
 * plain export; and the --show-secrets export proving the audit looked at the right values.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CliResult, PulumiProject, dynamicResources, pluginResources } from "../../harness/pulumi-cli";
import { secretValue } from "../../harness/support";
import { resourceOf } from "../../provider/plugin/resources";
import { assertNoLeak } from "./leaks";

const SIG = "4dabf18193072939515e22adb298388d";

/** Every file below `dir`. */
function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : [full];
  });
}

/** The value at a dotted path, or undefined. */
function at(obj: any, p: string): any {
  return p.split(".").reduce((o, k) => (o === undefined || o === null ? undefined : (o[SIG] ? o.value : o)[k]), obj);
}

/**
 * Fails when the plain export, any file of the backend (the stack, its history and backups) or
 * any CLI output holds any form of any of `secrets`; returns the plain export.
 */
export async function assertNoLeakStored(
  project: PulumiProject,
  secrets: string[],
  outputs: CliResult[],
): Promise<{ text: string; json: any }> {
  const plain = await project.exportState(false);
  assertNoLeak([plain.text], secrets, "the plain state export");
  for (const file of files(project.stateDir)) {
    assertNoLeak(
      [fs.readFileSync(file, "latin1")],
      secrets,
      `the backend file ${path.relative(project.stateDir, file)}`,
    );
  }
  assertNoLeak(
    outputs.map((o) => o.all),
    secrets,
    "CLI output",
  );
  return plain;
}

export interface AuditOptions {
  /** Values that must be in the --show-secrets export (the passwords the step set). */
  mustHold?: string[];
  /** Warnings allowed in CLI output (none by default). */
  allowWarnings?: RegExp;
}

/** Audits one stack after a step; returns the number of plugin resources seen. */
export async function auditPluginState(
  project: PulumiProject,
  secrets: string[],
  outputs: CliResult[],
  options: AuditOptions = {},
): Promise<number> {
  const plain = await assertNoLeakStored(project, secrets, outputs);
  for (const o of outputs) {
    const warnings = o.all.split("\n").filter((l) => /\bwarning\b/i.test(l));
    assert.deepStrictEqual(
      warnings.filter((l) => !options.allowWarnings?.test(l)),
      [],
      "a CLI step reported a warning",
    );
  }
  const resources = pluginResources(plain.json);
  for (const r of resources) {
    const entry = resourceOf(r.type);
    assert.ok(entry, `no spec for ${r.type}`);
    for (const where of ["inputs", "outputs"] as const) {
      for (const p of entry.secretPaths) {
        const v = at(r[where], p);
        if (v !== undefined)
          assert.ok(v?.[SIG] && typeof v.ciphertext === "string", `${r.type} ${where}.${p} is not encrypted`);
      }
    }
  }
  if (options.mustHold?.length) {
    const shown = (await project.exportState(true)).text;
    const escaped = (s: string) => [s, JSON.stringify(s).slice(1, -1), JSON.stringify(JSON.stringify(s)).slice(3, -3)];
    for (const s of options.mustHold) {
      assert.ok(
        escaped(s).some((f) => shown.includes(f)),
        "a value expected in state is missing from --show-secrets",
      );
    }
  }
  return resources.length;
}

/**
 * What the state of a stack's one dynamic CassandraRolePassword with `standbyRole` holds: the
 * active role, its password and the standby's; both passwords are added to `seen`, the
 * secrets the audits look for.
 */
export async function rolePairState(
  project: PulumiProject,
  seen: string[],
): Promise<{ active: string; password: string; standby: string }> {
  const [r] = dynamicResources((await project.exportState(true)).json);
  const s = {
    active: r.outputs.activeRole as string,
    password: secretValue(r.outputs.password) as string,
    standby: secretValue(r.outputs.standbyPassword) as string,
  };
  seen.push(s.password, s.standby);
  return s;
}
