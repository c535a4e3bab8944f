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
  it("the leak scan finds each of the six forms redaction removes, one at a time", () => {
    const s = 'Pa"ss/wo+rd?~';
    const forms = [
      s,
      Buffer.from(s).toString("base64"),
      Buffer.from(s).toString("base64").replace(/=+$/, ""),
      Buffer.from(s).toString("base64url"),
      encodeURIComponent(s),
      JSON.stringify(s).slice(1, -1),
    ];
    assert.strictEqual(new Set(forms).size, 6, "the six forms differ for this secret");
    for (const form of forms) {
      assert.throws(() => assertNoLeak([`before ${form} after`], [s]), /a secret leaked/, `the scan missed ${form}`);
      assert.ok(!redact(`before ${form} after`, [s]).includes(form), `redaction left ${form}`);
    }
  });
  it("removes the longer of two overlapping secrets whole", () => {
    assert.strictEqual(redact("x Password123 y", ["Password", "Password123"]), "x [redacted] y");
  });
  it("ignores undefined and empty secrets", () => {
    assert.strictEqual(redact("nothing here", [undefined, ""]), "nothing here");
  });
});
