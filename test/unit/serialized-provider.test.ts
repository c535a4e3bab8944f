/**
 * What Pulumi stores as `__provider` for each resource, measured with Pulumi's own closure
 * serializer: a reference to the provider module when the package is installed under
 * node_modules (as users have it), and small by-value methods otherwise (this repository's
 * symlinked checkout). Neither holds a secret, a client or the SDK.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { geminiDbAdminPasswordProvider, milvusUserPasswordProvider } from "../../provider";
import { installedProject } from "../../harness/installed";

const CASES = [
  ["Milvus", "milvusUserPasswordProvider", "milvus"],
  ["GeminiDB", "geminiDbAdminPasswordProvider", "geminidb"],
] as const;

describe("serialized providers", function () {
  this.timeout(60000);

  for (const [name, exported, folder] of CASES) {
    it(`installed under node_modules: the ${name} provider is stored as a require of its module, under 1 KB`, () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-empty-"));
      const dir = installedProject(empty);
      try {
        const script = `
          const pulumi = require("@pulumi/pulumi");
          const p = require("pulumi-db-passwords").${exported};
          pulumi.runtime.serializeFunction(() => p, { allowSecrets: false }).then((sf) => {
            const back = require("pulumi-db-passwords/dist/${folder}/provider.js");
            console.log(JSON.stringify({ text: sf.text, secrets: sf.containsSecrets, same: back === p, methods: Object.keys(back).sort() }));
          });`;
        const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8" }).trim());
        console.log(`      ${name} __provider installed: ${out.text.length} bytes`);
        assert.ok(out.text.length <= 1024, `${out.text.length} bytes`);
        assert.ok(out.text.includes(`require("pulumi-db-passwords/dist/${folder}/provider.js")`), out.text);
        assert.strictEqual(out.secrets, false);
        assert.strictEqual(out.same, true, "the stored reference resolves to the very provider object");
        assert.deepStrictEqual(out.methods, ["check", "create", "delete", "diff", "read", "update"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });
  }

  for (const [name, provider, folder] of [
    ["Milvus", milvusUserPasswordProvider, "milvus"],
    ["GeminiDB", geminiDbAdminPasswordProvider, "geminidb"],
  ] as const) {
    it(`anywhere else: the ${name} provider's methods are stored by value and require the implementation by package path`, async () => {
      const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
      console.log(`      ${name} __provider by value: ${sf.text.length} bytes`);
      assert.ok(sf.text.length < 4000, `serialized provider is ${sf.text.length} bytes`);
      if (folder === "milvus")
        assert.ok(
          sf.text.includes(JSON.stringify(`pulumi-db-passwords/dist/${folder}/operations`)),
          "the package path is captured",
        );
      assert.doesNotMatch(sf.text, /MilvusClient|grpc|protobuf|node-fetch|createHmac|zod/);
      assert.strictEqual(sf.containsSecrets, false);
    });
  }
});
