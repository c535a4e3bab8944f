import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { geminiDbAdminPasswordProvider, milvusUserPasswordProvider } from "../../provider";

describe("serialized providers", () => {
  for (const [name, provider, path] of [
    ["Milvus", milvusUserPasswordProvider, "pulumi-db-passwords/dist/milvus/operations"],
    ["GeminiDB", geminiDbAdminPasswordProvider, "pulumi-db-passwords/dist/geminidb/operations"],
  ] as const) {
    it(`serializes the ${name} provider small, requiring the implementation by package path`, async () => {
      const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
      console.log(`      ${name} __provider: ${sf.text.length} bytes`);
      assert.ok(sf.text.length < 4000, `serialized provider is ${sf.text.length} bytes`);
      assert.ok(sf.text.includes(JSON.stringify(path)), "the package path is captured");
      assert.doesNotMatch(sf.text, /MilvusClient|grpc|node-fetch|createHmac/);
      assert.strictEqual(sf.containsSecrets, false);
    });
  }
});
