/**
 * Values across the plugin's boundary (provider/plugin/values.ts): secrets unwrapped and
 * remembered, unknowns left out and put back, secret paths wrapped again, nested ones too.
 */
import * as assert from "assert";
import { SECRET_SIG, SIG_KEY, UNKNOWN, decode, encode, overlaps, secret } from "../../provider/plugin/values";
import { SPECS, resourceOf } from "../../provider/plugin/resources";
import { FieldSpec, ResourceSpec, token, valueAt } from "../../provider/shared/spec";

/** A value for every field of `spec` (inputs, outputs, state, object types filled in), each string its own path. */
function everyField(spec: ResourceSpec): { value: Record<string, unknown>; leaves: Array<[string, FieldSpec]> } {
  const leaves: Array<[string, FieldSpec]> = [];
  const fill = (fields: Record<string, FieldSpec>, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(fields).map(([name, field]) => {
        const p = prefix + name;
        if (typeof field.type === "object") {
          // a list: one element, itself filled (lists hold no secret: their paths need no index)
          if ("array" in field.type) return [name, [field.type.array === "string" ? `value of ${p}` : {}]];
          return [name, fill(spec.types[field.type.object].properties, `${p}.`)];
        }
        leaves.push([p, field]);
        return [name, field.type === "string" ? `value of ${p}` : field.type === "boolean" ? true : 1];
      }),
    );
  return { value: fill({ ...spec.inputs, ...spec.outputs, ...spec.state }, ""), leaves };
}

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

  for (const spec of SPECS) {
    it(`${spec.name}: the resource's secret paths wrap exactly the spec's secret fields, nested ones included`, () => {
      const { value, leaves } = everyField(spec);
      const out = encode(value, resourceOf(token(spec.name))!.secretPaths);
      let secrets = 0;
      for (const [p, field] of leaves) {
        const v = valueAt(out, p);
        if (field.secret) {
          assert.deepStrictEqual(v, secret(valueAt(value, p)), `${p} is secret`);
          secrets++;
        } else assert.deepStrictEqual(v, valueAt(value, p), `${p} stays plain`);
      }
      assert.ok(
        leaves.some(([p, f]) => f.secret && p.includes(".")),
        "the spec has a nested secret",
      );
      assert.ok(secrets >= 4, String(secrets));
    });
  }

  it("overlaps: a path and what lies below it", () => {
    assert.ok(overlaps("connection", "connection.address"));
    assert.ok(overlaps("connection.address", "connection"));
    assert.ok(overlaps("user", "user"));
    assert.ok(!overlaps("user", "username"));
    assert.ok(!overlaps("connection.address", "connection.password"));
  });
});

describe("plugin check with a list element not known yet (a preview)", () => {
  it("a node address that is still unknown fails no rule of the list; a known bad one still does", async () => {
    const { check } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("../../provider/geminidb/operations") as typeof import("../../provider/geminidb/operations");
    const base = {
      region: "eu-west-101",
      instanceId: "9136fd2a9fcd405ea4674276ce36dae8in06",
      auth: { token: "t0ken-value" },
      password: "Preview-Pw1~x",
    };
    const news = decode({ ...base, cql: { address: "10.0.0.5", nodes: [UNKNOWN, "10.0.0.6"] } });
    assert.deepStrictEqual([...news.unknowns], ["cql.nodes[0]"]);
    const r = await check({}, news.value, [...news.unknowns]);
    assert.strictEqual(r.failures, undefined, JSON.stringify(r.failures));
    const bad = decode({ ...base, cql: { address: "10.0.0.5", nodes: [UNKNOWN, "not an address!"] } });
    const b = await check({}, bad.value, [...bad.unknowns]);
    assert.match(JSON.stringify(b.failures), /cql\.nodes\.1/);
  });
});
