/**
 * CassandraRolePassword's check (field-named failures, no value), diff, and the CQL it builds:
 * names always quoted, passwords always quoted literals, grants copied as GRANT statements.
 */
import * as assert from "assert";
import * as ops from "../../provider/cassandra/operations";
import { alterPassword, grantStatement, resourceClause } from "../../provider/cassandra/adapter";
import type { CassandraRolePasswordOutputs } from "../../provider/cassandra/schema";
import { CheckCase, checkTable } from "../helpers/check-table";

const conn = { address: "127.0.0.1:9042", username: "cassandra", password: "Conn-secret-1" };
const good = { connection: conn, role: "orders_app", password: "Good-pass-1" };

describe("CassandraRolePassword check", () => {
  const cases: CheckCase[] = [
    ["a missing role", { ...good, role: undefined }, "role", /required/],
    ["a role with uppercase", { ...good, role: "Orders" }, "role", /lowercase letter/],
    [
      "a role with a quote",
      { ...good, role: 'orders"; DROP ROLE x; --' },
      "role",
      /lowercase letters, digits and underscores/,
    ],
    ["a role of 65 characters", { ...good, role: "a".repeat(65) }, "role", /at most 64/],
    ["a standby equal to the role", { ...good, standbyRole: "orders_app" }, "standbyRole", /must differ from role/],
    ["a password too short", { ...good, password: "Ab1!xyz" }, "password", /8 to 256/],
    ["a password of two classes", { ...good, password: "abcdefgh12" }, "password", /at least 3/],
    [
      "an address with a bad port",
      { ...good, connection: { ...conn, address: "db:99999" } },
      "connection.address",
      /65535/,
    ],
    [
      "an address with a scheme",
      { ...good, connection: { ...conn, address: "tcp://db" } },
      "connection.address",
      /host or host:port/,
    ],
    [
      "a password without username",
      { ...good, connection: { address: "db", password: "x-Pw-123" } },
      "connection.username",
      /needs a username/,
    ],
    [
      "a CA without tls",
      {
        ...good,
        connection: { ...conn, caCertificate: "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----" },
      },
      "connection.caCertificate",
      /only with tls/,
    ],
    [
      "a timeout too large",
      { ...good, connection: { ...conn, timeoutMs: 60001 } },
      "connection.timeoutMs",
      /at most 60000/,
    ],
    [
      "a node that is no address",
      { ...good, connection: { ...conn, nodes: ["db-2", "tcp://db-3"] } },
      "connection.nodes.1",
      /host or host:port/,
    ],
    ["nodes that are no list", { ...good, connection: { ...conn, nodes: "db-2" } }, "connection.nodes", /list/],
    [
      "a credentials cache beyond 10 minutes",
      { ...good, connection: { ...conn, credentialsCacheMs: 600001 } },
      "connection.credentialsCacheMs",
      /at most 600000/,
    ],
    [
      "discoverNodes that is no boolean",
      { ...good, connection: { ...conn, discoverNodes: "yes" } },
      "connection.discoverNodes",
      /true or false/,
    ],
    [
      "deleteRoleOnDestroy not a boolean",
      { ...good, deleteRoleOnDestroy: "yes" },
      "deleteRoleOnDestroy",
      /true or false/,
    ],
    ["an unknown property", { ...good, user: "x" }, "(inputs)", /user|nrecognized/],
  ];
  checkTable(ops.check, cases, ["Conn-secret-1", "Ab1!xyz", "abcdefgh12", "x-Pw-123", "Good-pass-1"]);

  it("accepts a password with a quote and stamps rotatedAt", async () => {
    const r = await ops.check({}, { ...good, password: "It's-a-Pw1" });
    assert.strictEqual(r.failures, undefined);
    assert.strictEqual((r.inputs as { password: string }).password, "It's-a-Pw1");
  });

  it("a standby role needs a connection identity", async () => {
    const r = await ops.check({}, { role: "a", standbyRole: "b", connection: { address: "db" } });
    assert.match(r.failures?.[0].reason ?? "", /^standbyRole: needs a connection identity/);
  });

  it("requires an address when neither the input nor CASSANDRA_ADDRESS gives one", async () => {
    const saved = process.env.CASSANDRA_ADDRESS;
    delete process.env.CASSANDRA_ADDRESS;
    try {
      const r = await ops.check({}, { role: "a", password: "Good-pass-1" });
      assert.match(r.failures?.[0].reason ?? "", /^connection.address: is required/);
    } finally {
      if (saved !== undefined) process.env.CASSANDRA_ADDRESS = saved;
    }
  });
});

describe("CassandraRolePassword diff", () => {
  const olds: CassandraRolePasswordOutputs = { ...good, address: "127.0.0.1:9042", passwordVerified: true };
  const table: Array<[string, object, { replaces: string[]; diffs: string[] }]> = [
    ["nothing changed", {}, { replaces: [], diffs: [] }],
    ["a new password", { password: "Other-pass-2" }, { replaces: [], diffs: ["password"] }],
    ["another role", { role: "other" }, { replaces: ["role"], diffs: [] }],
    [
      "another address",
      { connection: { ...conn, address: "127.0.0.2" } },
      { replaces: ["connection.address"], diffs: ["connection"] },
    ],
    [
      "a new trigger with a standby",
      { rotationTrigger: "q2", password: undefined, standbyRole: "b" },
      { replaces: ["standbyRole"], diffs: ["rotationTrigger", "password", "activeRole", "standbyPassword"] },
    ],
    [
      "new credentials only",
      { connection: { ...conn, password: "New-conn-2" } },
      { replaces: [], diffs: ["connection"] },
    ],
  ];
  for (const [name, change, expected] of table) {
    it(`${name}: replaces ${JSON.stringify(expected.replaces)}, updates ${JSON.stringify(expected.diffs)}`, async () => {
      const d = await ops.diff("id", olds, { ...good, ...change } as never);
      assert.deepStrictEqual(d.replaces, expected.replaces);
      assert.deepStrictEqual(d.diffs, expected.diffs);
      assert.strictEqual(d.changes, expected.replaces.length + expected.diffs.length > 0);
    });
  }
  it("drift found by refresh is an update of passwordVerified", async () => {
    const d = await ops.diff("id", { ...olds, passwordVerified: false }, good as never);
    assert.deepStrictEqual(d.diffs, ["passwordVerified"]);
  });
});

describe("the CQL CassandraRolePassword sends", () => {
  it("quotes the role and the password, doubling quotes", () => {
    assert.strictEqual(
      alterPassword("orders_app", "It's-a-Pw1"),
      `ALTER ROLE "orders_app" WITH PASSWORD = 'It''s-a-Pw1'`,
    );
    const hostile = "x' AND SUPERUSER = true AND LOGIN = true --";
    assert.strictEqual(
      alterPassword("r", hostile),
      `ALTER ROLE "r" WITH PASSWORD = 'x'' AND SUPERUSER = true AND LOGIN = true --'`,
    );
  });

  const resources: Array<[string, string]> = [
    ["<all keyspaces>", "ALL KEYSPACES"],
    ["<keyspace orders>", 'KEYSPACE "orders"'],
    ["<table orders.items>", 'TABLE "orders"."items"'],
    ["<all roles>", "ALL ROLES"],
    ["<role reader>", 'ROLE "reader"'],
    ["<all functions in orders>", 'ALL FUNCTIONS IN KEYSPACE "orders"'],
    ["<all mbeans>", "ALL MBEANS"],
  ];
  for (const [shown, clause] of resources) {
    it(`copies a permission on ${shown} as ON ${clause}`, () => {
      assert.strictEqual(resourceClause(shown), clause);
      assert.strictEqual(grantStatement("b", `permission:SELECT ${shown}`, true), `GRANT SELECT ON ${clause} TO "b"`);
    });
  }
  it("grants and revokes roles by name", () => {
    assert.strictEqual(grantStatement("b", "role:reader", true), 'GRANT "reader" TO "b"');
    assert.strictEqual(grantStatement("b", "role:reader", false), 'REVOKE "reader" FROM "b"');
  });
  it("refuses what it cannot copy, naming it", () => {
    assert.throws(() => resourceClause("<function orders.f(int)>"), /cannot be copied to the standby role/);
  });
});
