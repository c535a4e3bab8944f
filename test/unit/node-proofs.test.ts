/**
 * Proofs on every node (provider/shared/login-proof.ts), on a virtual clock: each node is proved on its
 * own within the whole bound, and what they showed becomes one verdict by the policy the
 * resources share (docs/clusters.md): nodes that answered otherwise fail the operation, nodes that
 * could not be asked make a warning, not one node answering is an error. And list fields in the
 * specs: what the schema, the TypeScript faces and the doc tables make of them, and that no list
 * holds a secret (secret paths have no index).
 */
import * as assert from "assert";
import { CqlError } from "../../provider/shared/errors";
import {
  Clock,
  NodeLogin,
  ProofBound,
  combineNodeResults,
  describeNodes,
  loginOnNodes,
  proveChangeOnNodes,
  verdictOf,
} from "../../provider/shared/login-proof";
import { SPECS } from "../../provider/plugin/resources";
import { packageSchema } from "../../provider/plugin/schema";
import { FieldSpec, objectTypeOf } from "../../provider/shared/spec";
import { argsSource } from "../../scripts/gen/typescript";
import { fieldTable } from "../../scripts/gen/readme";
import { cqlBound, AUTH_SETTLE, CACHE_MARGIN_MS, DEFAULT_CREDENTIALS_CACHE_MS } from "../../provider/cql/client";
import { CREDENTIALS_CACHE_MS } from "../../provider/shared/spec";

/** Time that passes only when a proof sleeps. */
function virtualClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

const BOUND: ProofBound = { boundMs: 6000, baseDelayMs: 200, maxDelayMs: 2000, firstRetryMs: 1000 };
const OLD = "Old-Pw-1";
const NEW = "New-Pw-2";

/** A node that takes OLD until `flipsAt` (virtual ms), NEW from then on. */
const flipping = (address: string, clock: Clock, flipsAt: number): NodeLogin => ({
  address,
  login: async (pw) => (clock.now() >= flipsAt ? pw === NEW : pw === OLD),
});
const unreachable = (address: string): NodeLogin => ({
  address,
  login: async () => {
    throw new CqlError("database not reachable or call interrupted: ECONNREFUSED", {
      operation: "login",
      target: `cql ${address}`,
      serverCode: "ECONNREFUSED",
      transient: true,
    });
  },
});
const tlsFailure = (address: string): NodeLogin => ({
  address,
  login: async () => {
    throw new CqlError("TLS handshake failed", { operation: "login", target: `cql ${address}`, serverCode: "TLS" });
  },
});

describe("proofs on every node", () => {
  it("each node gets the whole bound: one that shows the change late agrees, one that never does disagrees, naming what it answered", async () => {
    const clock = virtualClock();
    const results = await proveChangeOnNodes(
      [flipping("n1:9042", clock, 0), flipping("n2:9042", clock, 4000), flipping("n3:9042", clock, 60000)],
      NEW,
      [OLD],
      BOUND,
      clock,
    );
    const v = verdictOf(results);
    assert.deepStrictEqual(v.nodeProofs, [
      { address: "n1:9042", verified: true },
      { address: "n2:9042", verified: true },
      { address: "n3:9042", verified: false, answer: "refuses the new password and takes the old one" },
    ]);
    assert.strictEqual(v.verified, false);
    assert.deepStrictEqual(
      v.against.map((r) => r.address),
      ["n3:9042"],
    );
    assert.deepStrictEqual(v.unreachable, []);
    assert.strictEqual(describeNodes(v.against), "node n3:9042 refuses the new password and takes the old one");
    assert.ok(clock.t <= BOUND.boundMs + BOUND.maxDelayMs, `the nodes were proved side by side (${clock.t} ms)`);
  });

  it("a node that cannot be asked is unreachable (a warning), one that fails for good (TLS) is against the change; not one node answering is an error", async () => {
    const clock = virtualClock();
    const results = await proveChangeOnNodes(
      [flipping("n1:9042", clock, 0), unreachable("n2:9042"), tlsFailure("n3:9042")],
      NEW,
      [OLD],
      BOUND,
      clock,
    );
    const v = verdictOf(results);
    assert.deepStrictEqual(
      v.unreachable.map((r) => r.address),
      ["n2:9042"],
    );
    assert.deepStrictEqual(
      v.against.map((r) => r.address),
      ["n3:9042"],
    );
    assert.strictEqual(v.failure?.serverCode, "TLS");
    assert.strictEqual(v.noneAnswered, undefined);
    assert.match(v.nodeProofs[1].answer!, /^could not be asked: login \(cql n2:9042\): .*ECONNREFUSED/);
    const none = verdictOf(await proveChangeOnNodes([unreachable("a:1"), unreachable("b:1")], NEW, [], BOUND, clock));
    assert.strictEqual(none.noneAnswered?.serverCode, "ECONNREFUSED");
    assert.strictEqual(none.verified, false);
  });

  it("a password that must stay refused (two rotations ago), and several checks of the same nodes combined per node", async () => {
    const clock = virtualClock();
    const nodes = [flipping("n1:9042", clock, 0), flipping("n2:9042", clock, 60000)];
    const refused = await loginOnNodes(nodes, OLD, false, BOUND, "still takes it", clock);
    assert.deepStrictEqual(
      refused.map((r) => r.answer.kind),
      ["agrees", "disagrees"],
    );
    const takes = await loginOnNodes(nodes, OLD, true, BOUND, "refuses it", clock);
    const combined = combineNodeResults(takes, refused);
    assert.deepStrictEqual(
      combined.map((r) => [r.address, r.answer.kind]),
      [
        ["n1:9042", "disagrees"],
        ["n2:9042", "disagrees"],
      ],
    );
  });
});

describe("the bound of a CQL proof", () => {
  it("is the nodes' credentials cache plus the margin: Cassandra's defaults without credentialsCacheMs, its value with it", () => {
    assert.strictEqual(AUTH_SETTLE.boundMs, DEFAULT_CREDENTIALS_CACHE_MS + CACHE_MARGIN_MS);
    assert.deepStrictEqual(cqlBound(AUTH_SETTLE), AUTH_SETTLE);
    assert.strictEqual(cqlBound(AUTH_SETTLE, 30000).boundMs, 32000);
    assert.strictEqual(cqlBound(AUTH_SETTLE, 0).boundMs, CACHE_MARGIN_MS);
    // what the spec's text says is what the code does
    assert.strictEqual(CREDENTIALS_CACHE_MS.byDefault, DEFAULT_CREDENTIALS_CACHE_MS);
    assert.strictEqual(CREDENTIALS_CACHE_MS.marginMs, CACHE_MARGIN_MS);
  });
});

describe("list fields in the specs", () => {
  const lists = SPECS.flatMap((spec) => {
    const all: Array<[string, FieldSpec]> = [
      ...Object.entries({ ...spec.inputs, ...spec.outputs, ...spec.state }),
      ...Object.values(spec.types).flatMap((t) => Object.entries(t.properties)),
    ];
    return all.filter(([, f]) => typeof f.type === "object" && "array" in f.type).map(([k, f]) => ({ spec, k, f }));
  });

  it("the CQL endpoints have them: nodes (strings) and nodeProofs (objects)", () => {
    assert.deepStrictEqual(lists.map(({ spec, k }) => `${spec.name}.${k}`).sort(), [
      "CassandraRolePassword.nodeProofs",
      "CassandraRolePassword.nodes",
      "GeminiDbAdminPassword.nodeProofs",
      "GeminiDbAdminPassword.nodes",
    ]);
  });

  it("no list holds a secret, itself or in its element's type (secret paths have no index)", () => {
    for (const { spec, k, f } of lists) {
      assert.ok(!f.secret, `${spec.name}.${k}`);
      const element = objectTypeOf(f.type);
      for (const [name, p] of Object.entries(element ? spec.types[element].properties : {}))
        assert.ok(!p.secret, `${spec.name}.${k}[].${name}`);
    }
  });

  it("the schema says type array with its items, the TypeScript faces take lists of Inputs and give lists of plain objects, the tables say list of", () => {
    const schema = packageSchema(SPECS, { version: "0.0.0", license: "Apache-2.0", keywords: [] }) as {
      types: Record<string, { properties: Record<string, unknown> }>;
      resources: Record<string, { properties: Record<string, unknown> }>;
    };
    assert.deepStrictEqual(schema.types["dbpasswords:index:CassandraConnection"].properties.nodes, {
      type: "array",
      items: { type: "string" },
      description: (schema.types["dbpasswords:index:CassandraConnection"].properties.nodes as { description: string })
        .description,
    });
    const proofs = schema.resources["dbpasswords:index:CassandraRolePassword"].properties.nodeProofs as {
      items: unknown;
    };
    assert.deepStrictEqual(proofs.items, { $ref: "#/types/dbpasswords:index:CqlNodeProof" });
    const cassandra = SPECS.find((s) => s.name === "CassandraRolePassword")!;
    const ts = argsSource(cassandra, "provider/cassandra/spec.ts");
    assert.match(ts, /nodes\?: pulumi\.Input<pulumi\.Input<string>\[\]>;/);
    assert.match(ts, /readonly nodeProofs: pulumi\.Output<CqlNodeProof\[\] \| undefined>;/);
    assert.match(ts, /export interface CqlNodeProof \{[^}]*readonly address: string;[^}]*readonly answer\?: string;/s);
    assert.doesNotMatch(ts, /CqlNodeProofArgs/, "a type only outputs hold is no argument type");
    assert.match(fieldTable(cassandra, "inputs"), /\| `connection\.nodes` \| list of string \|/);
    assert.match(fieldTable(cassandra, "outputs"), /\| `nodeProofs` \| list of object \|/);
  });
});
