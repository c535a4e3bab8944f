/**
 * The plugin's launcher on a Node.js older than the package supports: one line that says what
 * to do, exit 1, no stack trace; on a supported Node.js it goes on to serve the plugin.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MIN_NODE_MAJOR, nodeRefusal } from "../../provider/plugin/start";
import { REPO_ROOT } from "../../harness/tools";

describe("plugin launcher: the Node.js it runs on", () => {
  it("accepts every major from the minimum on and refuses older ones, naming both versions", () => {
    for (const v of ["20.0.0", "22.23.5", "24.22.3", "26.12.1", "27.0.0"])
      assert.strictEqual(nodeRefusal(v), undefined, v);
    for (const v of ["18.20.4", "16.0.0", "8.9.4"]) {
      const msg = nodeRefusal(v)!;
      assert.ok(msg, v);
      assert.ok(msg.includes(`v${v}`) && msg.includes(`Node.js ${MIN_NODE_MAJOR} or later`), msg);
      assert.ok(!msg.includes("\n"), "one line");
    }
  });

  it("bin/pulumi-resource-dbpasswords on Node 18 prints one line and exits 1 before loading the plugin", () => {
    // A real node made to report an older version before the launcher's first line runs.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-oldnode-"));
    const fake = path.join(dir, "old.js");
    fs.writeFileSync(
      fake,
      "Object.defineProperty(process.versions, 'node', { value: '18.20.4' });\n" +
        "Object.defineProperty(process, 'version', { value: 'v18.20.4' });\n",
    );
    try {
      const r = spawnSync(path.join(REPO_ROOT, "bin", "pulumi-resource-dbpasswords"), ["127.0.0.1:1"], {
        env: {
          ...process.env,
          PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
          NODE_OPTIONS: `--require ${fake}`,
        },
        encoding: "utf8",
        timeout: 20000,
      });
      assert.strictEqual(r.status, 1, r.stderr);
      assert.strictEqual(r.stdout, "");
      const lines = r.stderr.trim().split("\n");
      assert.strictEqual(lines.length, 1, r.stderr);
      assert.match(
        lines[0],
        /^pulumi-resource-dbpasswords: Node\.js 20 or later is required, but the node on PATH is v18\.20\.4/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
