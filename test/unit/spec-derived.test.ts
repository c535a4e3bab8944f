import * as assert from "assert";
import * as milvus from "../../provider/milvus/operations";
import * as cassandra from "../../provider/cassandra/operations";
import * as geminidb from "../../provider/geminidb/operations";
import { SPECS } from "../../provider/plugin/resources";
import {
  FieldSpec,
  ResourceSpec,
  replacePaths,
  secretPaths,
  secretValues,
  storedInputs,
} from "../../provider/shared/spec";
import type { Diff } from "../../provider/shared/schedule";

type Props = Record<string, unknown>;

/**
 * Each resource: its diff, inputs a valid program gives, and for every field whose change
 * replaces the resource another valid value (the table must name exactly the spec's
 * replacing fields, so that a `replaces: true` added to a spec needs a row here).
 */
const resources: Array<{
  name: string;
  diff: (id: string, olds: never, news: never) => Promise<Diff>;
  inputs: Props;
  outputs: Props;
  others: Record<string, unknown>;
}> = [
  {
    name: "MilvusUserPassword",
    diff: milvus.diff,
    inputs: { user: "app", connection: { address: "127.0.0.1:19530" }, password: "Abcdef12!x" },
    outputs: { address: "127.0.0.1:19530", passwordVerified: true },
    others: { "connection.address": "127.0.0.1:19531", user: "other", standbyUser: "app_b" },
  },
  {
    name: "CassandraRolePassword",
    diff: cassandra.diff,
    inputs: { role: "app", connection: { address: "127.0.0.1:9042" }, password: "Abcdef12!x" },
    outputs: { address: "127.0.0.1:9042", passwordVerified: true },
    others: { "connection.address": "127.0.0.1:9043", role: "other", standbyRole: "app_b" },
  },
  {
    name: "GeminiDbAdminPassword",
    diff: geminidb.diff,
    inputs: {
      region: "eu-west-101",
      projectId: "0123456789abcdef0123456789abcdef",
      instanceId: "9136fd2a9fcd405ea4674276ce36dae8in06",
      password: "Good-pass~1",
    },
    outputs: { endpointUsed: "https://gaussdb-nosql.eu-west-101.myhuaweicloud.eu" },
    others: {
      region: "cn-north-4",
      projectId: "fedcba9876543210fedcba9876543210",
      instanceId: "0000fd2a9fcd405ea4674276ce36dae8in06",
    },
  },
];

const specOf = (name: string): ResourceSpec => SPECS.find((s) => s.name === name)!;

/** `props` with the value at a dotted path replaced. */
function withValue(props: Props, path: string, value: unknown): Props {
  const [head, ...rest] = path.split(".");
  if (rest.length === 0) return { ...props, [head]: value };
  return { ...props, [head]: withValue((props[head] as Props) ?? {}, rest.join("."), value) };
}

/** Another value of a field's type, for a field that does not replace the resource. */
function anotherValue(field: FieldSpec, old: unknown): unknown {
  if (typeof field.type === "object") return { ...(old as Props), probe: 1 };
  return { string: "Zyxwv98!q", integer: 30, boolean: true }[field.type];
}

describe("what the specs say, the lifecycles do", () => {
  it("every resource of the plugin is in this table", () => {
    assert.deepStrictEqual(resources.map((r) => r.name).sort(), SPECS.map((s) => s.name).sort());
  });

  for (const r of resources) {
    const spec = specOf(r.name);
    const olds = { ...r.inputs, ...r.outputs } as never;

    it(`${r.name}: the table names exactly the spec's replacing fields`, () => {
      assert.deepStrictEqual(Object.keys(r.others).sort(), replacePaths(spec).sort());
    });

    it(`${r.name}: no change, no diff`, async () => {
      const d = await r.diff("id", olds, r.inputs as never);
      assert.deepStrictEqual(
        { changes: d.changes, replaces: d.replaces, diffs: d.diffs },
        {
          changes: false,
          replaces: [],
          diffs: [],
        },
      );
    });

    for (const path of Object.keys(r.others)) {
      it(`${r.name}: a change of ${path} replaces the resource, and nothing else does`, async () => {
        const d = await r.diff("id", olds, withValue(r.inputs, path, r.others[path]) as never);
        assert.deepStrictEqual(d.replaces, [path]);
        assert.deepStrictEqual(d.stables, []);
      });
    }

    for (const [name, field] of Object.entries(spec.inputs).filter(([, f]) => !f.replaces)) {
      it(`${r.name}: a change of ${name} updates in place`, async () => {
        const d = await r.diff("id", olds, { ...r.inputs, [name]: anotherValue(field, r.inputs[name]) } as never);
        assert.deepStrictEqual(d.replaces, []);
        assert.strictEqual(d.changes, name !== "currentPassword", `changes for ${name}`);
        if (storedInputs(spec).includes(name)) assert.ok(d.diffs.includes(name), `${name} in ${d.diffs}`);
      });
    }

    it(`${r.name}: the redaction finds every secret the spec declares, nested ones included`, () => {
      let props: Props = {};
      const paths = secretPaths(spec);
      paths.forEach((p, i) => (props = withValue(props, p, `secret-${i}`)));
      assert.deepStrictEqual(secretValues(spec, props, undefined).sort(), paths.map((_, i) => `secret-${i}`).sort());
      assert.ok(paths.includes("password"));
    });
  }
});
