/**
 * GeminiDbAdminPassword with `cql`, against a real Apache Cassandra behind the GeminiDB
 * emulator (each reset becomes ALTER ROLE rwuser there): the login proof after every reset,
 * drift found by refresh and repaired by the next update, TLS with the node's CA, and nothing
 * new without `cql`. (What goes wrong is in the fault matrix.) The lifecycle runs as the
 * provider host runs it (the built package), with a short proof bound injected.
 */
import * as assert from "assert";
import { GEMINIDB_RETRY } from "../../provider/geminidb/client";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import { GeminiDbEmulator, TEST_PROJECT, emulatorInputs, startEmulator } from "../../harness/geminidb-emulator";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { alterRolePassword, cqlAs, cqlCanLogin, cqlLogsInWithin } from "../../harness/cql";
import { cqlString } from "../../provider/cql/client";
import { HoldProxy } from "../../harness/hold-proxy";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dist: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");
const ops = dist.withSettings({
  retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 500, maxElapsedMs: 5000 },
  proof: { boundMs: 3000, baseDelayMs: 100, maxDelayMs: 500 },
});

const P = ["Cql-rw-Pw01~x", "Cql-rw-Pw02~x", "Cql-rw-Pw03~x", "Cql-rw-Pw04~x"];
const CONSOLE = "Cql-console-Pw9~";

describe("GeminiDbAdminPassword with cql on a real Cassandra", function () {
  this.timeout(240000);
  let db: RealCassandra;
  let tlsDb: RealCassandra;
  let emu: GeminiDbEmulator;
  let token: string;

  before(async () => {
    [db, tlsDb] = await Promise.all([sharedCassandra(), sharedCassandra({ tls: true })]);
    for (const node of [db, tlsDb]) {
      const endpoint = { address: node.address, tls: !!node.caCertificate, caCertificate: node.caCertificate };
      await cqlAs(endpoint, node.superuser, [
        `CREATE ROLE IF NOT EXISTS rwuser WITH PASSWORD = ${cqlString("Cql-initial-Pw0~")} AND LOGIN = true`,
      ]);
    }
  });
  beforeEach(async () => {
    emu = await startEmulator();
    emu.useDatabase({ address: db.address }, db.superuser);
    token = emu.issueToken(TEST_PROJECT);
  });
  afterEach(async () => emu.stop());

  const inputs = (password: string, cql?: GeminiDbAdminPasswordInputs["cql"]): GeminiDbAdminPasswordInputs =>
    emulatorInputs(emu, { auth: { token }, password, ...(cql ? { cql } : {}) });
  const plain = () => ({ address: db.address });

  it("proves each reset by a CQL login: the new password logs in, the old one is refused", async () => {
    const created = await ops.create(inputs(P[0], plain()));
    assert.strictEqual(created.outs!.passwordVerified, true);
    assert.strictEqual(await cqlCanLogin({ address: db.address }, "rwuser", P[0]), true);
    const updated = await ops.update(created.id, created.outs!, inputs(P[1], plain()));
    assert.strictEqual(updated.outs!.passwordVerified, true);
    assert.strictEqual(await cqlCanLogin({ address: db.address }, "rwuser", P[1]), true);
    assert.strictEqual(await cqlCanLogin({ address: db.address }, "rwuser", P[0]), false);
  });

  it("refresh logs in with the stored password and reports a reset done elsewhere; the next update repairs it", async () => {
    const created = await ops.create(inputs(P[0], plain()));
    // the console's reset, once the node lets the new password in
    await alterRolePassword({ address: db.address }, db.superuser, "rwuser", CONSOLE, { settle: true });
    const read = await ops.read(created.id, created.outs!);
    const drifted = read.props as GeminiDbAdminPasswordOutputs;
    assert.strictEqual(drifted.passwordVerified, false);
    const d = await ops.diff(created.id, drifted, inputs(P[0], plain()));
    assert.strictEqual(d.changes, true);
    assert.deepStrictEqual(d.diffs, ["passwordVerified"]);
    emu.resetCounts();
    const repaired = await ops.update(created.id, drifted, inputs(P[0], plain()));
    assert.strictEqual(repaired.outs!.passwordVerified, true);
    assert.strictEqual(emu.count("password.put"), 1, "the repair resets the stored password again");
    assert.strictEqual(await cqlCanLogin({ address: db.address }, "rwuser", P[0]), true);
    assert.strictEqual(await cqlCanLogin({ address: db.address }, "rwuser", CONSOLE), false);
  });

  it("TLS with the node's own CA certificate proves the reset", async () => {
    emu.useDatabase({ address: tlsDb.address, tls: true, caCertificate: tlsDb.caCertificate }, tlsDb.superuser);
    const tls = { address: tlsDb.address, tls: true, caCertificate: tlsDb.caCertificate };
    const created = await ops.create(inputs(P[2], tls));
    assert.strictEqual(created.outs!.passwordVerified, true);
    const updated = await ops.update(created.id, created.outs!, inputs(P[3], tls));
    assert.strictEqual(updated.outs!.passwordVerified, true);
    assert.strictEqual(
      await cqlCanLogin({ address: tlsDb.address, tls: true, caCertificate: tlsDb.caCertificate }, "rwuser", P[3]),
      true,
    );
  });

  it("the emulator logs in per reset, or with keepAdminSession (the bench's) once for many", async () => {
    for (const keepAdminSession of [false, true]) {
      // a proxy that counts the emulator's connections to the node
      const proxy = new HoldProxy("127.0.0.1", db.port);
      await proxy.start();
      try {
        emu.useDatabase({ address: proxy.address }, db.superuser, { keepAdminSession });
        // resets without a proof block: the emulator's ALTER ROLEs alone
        const created = await ops.create(inputs(P[2]));
        await ops.update(created.id, created.outs!, inputs(P[3]));
        assert.strictEqual(await cqlLogsInWithin({ address: db.address }, "rwuser", P[3], 5000), true);
        assert.strictEqual(proxy.accepted, keepAdminSession ? 1 : 2, `keepAdminSession: ${keepAdminSession}`);
      } finally {
        await proxy.stop();
      }
    }
  });

  it("without cql: no CQL connection, no passwordVerified in state", async () => {
    const created = await ops.create(inputs(P[0]));
    assert.strictEqual("passwordVerified" in created.outs!, false);
    const read = await ops.read(created.id, created.outs!);
    assert.deepStrictEqual(read.props, created.outs!);
  });
});
