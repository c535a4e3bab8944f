/**
 * Pulumi's local file backend after a killed CLI, with the real CLI: the backend keeps
 * `<stack>.json.attrs` beside each checkpoint, and a CLI killed while writing it can leave it
 * empty (seen in the long soak, docs/reliability.md). Every command on the stack then fails with
 * "failed to load checkpoint: EOF" though the checkpoint is whole. The README's troubleshooting
 * says to delete the empty file; the soak does the same (harness/pulumi-cli.ts,
 * repairFileBackend). This shows both: the failure as users see it, and that the repair is all
 * it takes. A YAML program with one output: no database, no provider of ours.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiProject, repairFileBackend } from "../../harness/pulumi-cli";

describe("Pulumi's file backend with an empty .attrs (a CLI killed while writing it)", function () {
  this.timeout(120000);
  let dir: string;
  let project: PulumiProject;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-attrs-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: attrs\nruntime: yaml\noutputs:\n  answer: 42\n");
    project = new PulumiProject(dir, "dev");
    await project.ok(["stack", "init", "dev"]);
    await project.ok(["up", "--yes", "--skip-preview"]);
  });
  after(async () => {
    await project?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fails every command with 'failed to load checkpoint: EOF'; deleting the empty file (repairFileBackend) is the whole repair", async () => {
    const attrs = path.join(project.stateDir, ".pulumi", "stacks", "attrs", "dev.json.attrs");
    assert.ok(fs.statSync(attrs).size > 0, "the backend wrote its .attrs");
    assert.strictEqual(repairFileBackend(project.stateDir), 0, "a whole .attrs is left alone");
    assert.ok(fs.existsSync(attrs));

    fs.writeFileSync(attrs, "");
    const broken = await project.run(["preview", "--non-interactive"]);
    assert.notStrictEqual(broken.code, 0);
    assert.match(broken.all, /failed to load checkpoint: EOF/);

    assert.strictEqual(repairFileBackend(project.stateDir), 1);
    assert.ok(!fs.existsSync(attrs), "the empty file is gone");
    const out = await project.ok(["stack", "output", "answer"]);
    assert.strictEqual(out.stdout.trim(), "42", "the checkpoint was whole all along");
    await project.ok(["preview", "--expect-no-changes", "--non-interactive"]);
  });
});
