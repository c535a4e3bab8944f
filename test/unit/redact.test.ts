import * as assert from "assert";
import { redact } from "../../provider/shared/redact";
import { assertNoLeak } from "../helpers/leaks";

describe("redact", () => {
  const secret = "S3cret!pass/word+";
  it("removes a secret, its base64, base64url and URL-encoded forms", () => {
    const b64 = Buffer.from(secret).toString("base64");
    const text = `raw=${secret} b64=${b64} url=${encodeURIComponent(secret)} b64url=${Buffer.from(secret).toString("base64url")}`;
    const out = redact(text, [secret]);
    assertNoLeak([out], [secret]);
    assert.strictEqual(out.split("[redacted]").length - 1, 4);
  });
  it("removes the longer of two overlapping secrets whole", () => {
    assert.strictEqual(redact("x Password123 y", ["Password", "Password123"]), "x [redacted] y");
  });
  it("ignores undefined and empty secrets", () => {
    assert.strictEqual(redact("nothing here", [undefined, ""]), "nothing here");
  });
});
