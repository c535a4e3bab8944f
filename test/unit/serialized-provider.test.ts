import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { milvusUserPasswordProvider } from "../../provider/milvus/provider";

describe("serialized providers", () => {
  it("serializes the Milvus provider small, requiring the implementation by package path", async () => {
    const sf = await pulumi.runtime.serializeFunction(() => milvusUserPasswordProvider, { allowSecrets: false });
    assert.ok(sf.text.length < 4000, `serialized provider is ${sf.text.length} bytes`);
    assert.match(sf.text, /require\("pulumi-db-passwords\/dist\/milvus\/operations"\)/);
    assert.doesNotMatch(sf.text, /MilvusClient|grpc|Milvus"\)/);
    assert.strictEqual(sf.containsSecrets, false);
  });
});
