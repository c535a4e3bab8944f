/**
 * Values across the plugin's boundary (provider/plugin/values.ts): secrets unwrapped and
 * remembered, unknowns left out and put back, secret paths wrapped again, nested ones too.
 */
import * as assert from "assert";
import { SECRET_SIG, SIG_KEY, UNKNOWN, decode, encode, overlaps, secret } from "../../provider/plugin/values";

describe("plugin values: secrets and unknowns across the wire", () => {
  it("decodes secrets at any depth, noting their paths", () => {
    const d = decode({ password: secret("a"), connection: { password: secret("b"), address: "h:1" }, n: 3 });
    assert.deepStrictEqual(d.value, { password: "a", connection: { password: "b", address: "h:1" }, n: 3 });
    assert.deepStrictEqual([...d.secrets].sort(), ["connection.password", "password"]);
    assert.deepStrictEqual([...d.unknowns], []);
  });

  it("leaves unknowns out of the value, secret unknowns and unknown objects too", () => {
    const d = decode({ password: secret(UNKNOWN), auth: UNKNOWN, user: "u", list: [UNKNOWN, "x"] });
    assert.deepStrictEqual(d.value, { user: "u", list: [null, "x"] });
    assert.deepStrictEqual([...d.unknowns].sort(), ["auth", "list[0]", "password"]);
    assert.deepStrictEqual([...d.secrets], ["password"]);
  });

  it("a whole secret object: every value below it counts as secret", () => {
    const d = decode({ connection: secret({ address: "h:1", password: "p" }) });
    assert.deepStrictEqual([...d.secrets], ["connection"]);
    const back = encode(d.value, d.secrets);
    assert.deepStrictEqual(back.connection, { [SIG_KEY]: SECRET_SIG, value: { address: "h:1", password: "p" } });
  });

  it("encodes the given paths as secrets, skips absent ones, and never wraps twice", () => {
    const out = encode({ password: "a", connection: { password: "b" }, again: secret("c") }, [
      "password",
      "connection.password",
      "connection.token",
      "standbyPassword",
      "again",
    ]);
    assert.deepStrictEqual(out, {
      password: secret("a"),
      connection: { password: secret("b") },
      again: secret("c"),
    });
  });

  it("puts unknowns back where they were, creating the objects that held them", () => {
    const out = encode({ user: "u" }, ["password"], ["password", "connection.address"]);
    assert.deepStrictEqual(out, { user: "u", password: secret(UNKNOWN), connection: { address: UNKNOWN } });
  });

  it("does not change the value it was given", () => {
    const value = { password: "a" };
    encode(value, ["password"]);
    assert.deepStrictEqual(value, { password: "a" });
  });

  it("overlaps: a path and what lies below it", () => {
    assert.ok(overlaps("connection", "connection.address"));
    assert.ok(overlaps("connection.address", "connection"));
    assert.ok(overlaps("user", "user"));
    assert.ok(!overlaps("user", "username"));
    assert.ok(!overlaps("connection.address", "connection.password"));
  });
});
