/**
 * Proofs on every node of a real 3-node Cassandra (harness/cassandra-cluster, the cluster that
 * test/integration/cassandra-cluster.test.ts establishes the facts on: node 3 keeps an old password
 * 10 s): CassandraRolePassword and GeminiDbAdminPassword's `cql` prove each change on each node
 * (the contact point and the peers it knows), so that what the stack exports logs in on every
 * node. A role pair and a GeminiDB reset rotate while an application reconnects to each node in
 * turn; a node stopped during a rotation is named and proved by the next run; system_auth at
 * RF 1 with the role's node down; a node whose cache outlives the bound, then a bound that covers
 * it. The lifecycles run as the provider host runs them (the built package), short bounds injected.
 */
import * as assert from "assert";
import type { CassandraRolePasswordInputs, CassandraRolePasswordOutputs } from "../../provider/cassandra/schema";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import type { NodeProof } from "../../provider/shared/login-proof";
import { CassandraCluster, ClusterNode, sharedCassandraCluster } from "../../harness/cassandra-cluster";
import {
  GeminiDbEmulator,
  TEST_INSTANCE,
  TEST_PROJECT,
  emulatorInputs,
  startEmulator,
} from "../../harness/geminidb-emulator";
import { waitFor } from "../../harness/support";
import { atDefaultAuthReplication } from "../helpers/cluster-hooks";
import { GEMINIDB_RETRY } from "../../provider/geminidb/client";
import { cqlString } from "../../provider/cql/client";
import { cqlNodeLogin } from "../../provider/cql/login";

/* eslint-disable @typescript-eslint/no-require-imports */
const cassandraDist: typeof import("../../provider/cassandra/operations") = require("pulumi-db-passwords/dist/cassandra/operations");
const geminiDist: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");
/* eslint-enable @typescript-eslint/no-require-imports */

/** The injected bound: 3 s per node unless `credentialsCacheMs` says more (its + 2 s). */
const SETTLE = { boundMs: 3000, baseDelayMs: 200, maxDelayMs: 1000, firstRetryMs: 500 };
const cassandra = cassandraDist.withSettings({ settle: SETTLE });
const gemini = geminiDist.withSettings({
  retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 500, maxElapsedMs: 5000 },
  proof: SETTLE,
});

/** Node 3's credentials_validity and update interval: cassandra-cluster.test.ts's options, so one cluster. */
const NODE3_VALIDITY_MS = 10000;
/** What covers node 3: its validity plus its update interval. */
const NODE3_CACHE_MS = 2 * NODE3_VALIDITY_MS;

type RoleOut = CassandraRolePasswordOutputs;
type GeminiOut = GeminiDbAdminPasswordOutputs;

describe("proofs on every node of a real 3-node Cassandra", function () {
  this.timeout(300000);
  let cluster: CassandraCluster;
  let nodes: ClusterNode[];
  let n = 0;
  const fresh = () => `np_role_${++n}_${Date.now() % 100000}`;
  const login = (node: ClusterNode, user: string, password: string) =>
    cqlNodeLogin({ host: node.host, port: node.port }, user, password, 5000);
  const su = () => ({ username: cluster.superuser.username, password: cluster.superuser.password });
  const connection = (
    node: ClusterNode,
    extra: Partial<NonNullable<CassandraRolePasswordInputs["connection"]>> = {},
  ) => ({
    address: node.address,
    ...su(),
    ...extra,
  });
  const byAddress = (proofs: NodeProof[] | undefined) => Object.fromEntries((proofs ?? []).map((p) => [p.address, p]));
  const allVerified = (proofs: NodeProof[] | undefined) => {
    assert.deepStrictEqual(
      (proofs ?? []).map((p) => [p.address, p.verified]).sort(),
      nodes.map((x) => [x.address, true]).sort(),
      `every node proved: ${JSON.stringify(proofs)}`,
    );
  };

  before(async function () {
    this.timeout(600000);
    cluster = await sharedCassandraCluster({
      nodes: [{}, {}, { credentialsValidityMs: NODE3_VALIDITY_MS, credentialsUpdateIntervalMs: NODE3_VALIDITY_MS }],
    });
    nodes = cluster.nodes;
    for (const node of nodes) await node.start(); // (another suite may have left one stopped: no-op otherwise)
  });

  /**
   * An application that connects every 100 ms to the next node in turn, with the identity and
   * password `current` gives at that moment (what the stack exports), and records each answer.
   */
  function application(current: () => { user: string; password: string; changing: boolean }) {
    const answers: Array<{ node: number; ok: boolean | string; changing: boolean; at: number }> = [];
    let i = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        const node = nodes[i++ % nodes.length];
        const { user, password, changing } = current();
        const ok = await login(node, user, password).catch((e: Error) => e.message);
        answers.push({ node: node.index, ok, changing, at: Date.now() });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    return {
      answers,
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  it("a role pair and a GeminiDB reset rotate while an application reconnects to each node in turn with what the stack exports: the pair's never refused, the reset's never refused once exported", async () => {
    // the role pair: CassandraRolePassword with standbyRole, the cluster's cache covered
    const blue = fresh();
    const green = fresh();
    const pairInputs = (trigger: string): CassandraRolePasswordInputs => ({
      connection: connection(nodes[0], { credentialsCacheMs: NODE3_CACHE_MS }),
      role: blue,
      standbyRole: green,
      createIfMissing: true,
      deleteRoleOnDestroy: true,
      rotationTrigger: trigger,
    });
    const created = await cassandra.create(pairInputs("r1"));
    let pair = created.outs as RoleOut;
    allVerified(pair.nodeProofs);
    let pairChanging = false;
    const pairApp = application(() => ({ user: pair.activeRole!, password: pair.password, changing: pairChanging }));

    // the GeminiDB instance, backed by the cluster: each reset is ALTER ROLE rwuser there
    await nodes[0].cql([
      `CREATE ROLE IF NOT EXISTS rwuser WITH PASSWORD = ${cqlString("Np-rw~Pw00")} AND LOGIN = true`,
    ]);
    const emu: GeminiDbEmulator = await startEmulator();
    const token = emu.issueToken(TEST_PROJECT);
    emu.useDatabase({ address: nodes[0].address }, su());
    const resetInputs = (password: string): GeminiDbAdminPasswordInputs =>
      emulatorInputs(emu, {
        auth: { token },
        password,
        cql: { address: nodes[0].address, credentialsCacheMs: NODE3_CACHE_MS },
      });
    const RW = ["Np-rw~Pw01", "Np-rw~Pw02", "Np-rw~Pw03"];
    let reset = (await gemini.create(resetInputs(RW[0]))).outs as GeminiOut;
    allVerified(reset.nodeProofs);
    let resetChanging = false;
    const resetApp = application(() => ({ user: "rwuser", password: reset.password, changing: resetChanging }));
    const times: string[] = [];
    try {
      await new Promise((r) => setTimeout(r, 1000)); // every node has seen both applications
      const rotatePair = async () => {
        for (const trigger of ["r2", "r3"]) {
          const t = Date.now();
          pairChanging = true;
          const next = await cassandra.update(created.id, pair, pairInputs(trigger));
          pair = next.outs as RoleOut;
          pairChanging = false;
          times.push(`pair ${trigger} ${((Date.now() - t) / 1000).toFixed(1)} s`);
          assert.strictEqual(pair.passwordVerified, true);
          allVerified(pair.nodeProofs);
        }
      };
      const rotateReset = async () => {
        for (const password of RW.slice(1)) {
          const t = Date.now();
          resetChanging = true;
          const next = await gemini.update(`${TEST_PROJECT}/${TEST_INSTANCE}`, reset, resetInputs(password));
          reset = next.outs as GeminiOut;
          resetChanging = false;
          times.push(`reset ${((Date.now() - t) / 1000).toFixed(1)} s`);
          assert.strictEqual(reset.passwordVerified, true);
          allVerified(reset.nodeProofs);
          // what the proof waited for: node 3, the node with the long cache, takes the new password now
          assert.strictEqual(await login(nodes[2], "rwuser", password), true);
        }
      };
      await Promise.all([rotatePair(), rotateReset()]);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await Promise.all([pairApp.stop(), resetApp.stop()]);
      await emu.stop();
    }
    const refused = (answers: typeof pairApp.answers) => answers.filter((a) => a.ok !== true);
    const resetInFlight = refused(resetApp.answers).filter((a) => a.changing);
    console.log(
      `    [cluster-proofs] ${times.join(", ")}; the application logged in ${pairApp.answers.length} times as the ` +
        `pair, ${resetApp.answers.length} times as rwuser (refused while a reset was in flight, before the stack ` +
        `exported it: ${resetInFlight.length}, nodes ${[...new Set(resetInFlight.map((a) => a.node))].join(", ") || "none"})`,
    );
    assert.deepStrictEqual(refused(pairApp.answers), [], "the pair's exported identity logs in on every node, always");
    assert.deepStrictEqual(
      refused(resetApp.answers).filter((a) => !a.changing),
      [],
      "the exported rwuser password logs in on every node from the moment it is exported",
    );
    assert.ok(pairApp.answers.length > 20 && resetApp.answers.length > 20);
    await cassandra.remove(created.id, pair);
  });

  it("one node stopped during a rotation: the rotation succeeds with a warning naming it and passwordVerified false; with the node back, the next up proves all three", async () => {
    const role = fresh();
    // node 3's cache is covered (its 10 s; the rotation comes seconds after create's proof loaded it)
    const inputs = (password: string): CassandraRolePasswordInputs => ({
      connection: connection(nodes[0], { credentialsCacheMs: NODE3_VALIDITY_MS }),
      role,
      password,
      createIfMissing: true,
      deleteRoleOnDestroy: true,
    });
    const created = await cassandra.create(inputs("Np-Stop-Pw0"));
    allVerified((created.outs as RoleOut).nodeProofs);
    const stopped = nodes[1];
    await stopped.stop();
    let rotated: RoleOut;
    let elapsed: number;
    try {
      const t = Date.now();
      const u = await cassandra.update(created.id, created.outs as RoleOut, inputs("Np-Stop-Pw1"));
      elapsed = Date.now() - t;
      rotated = u.outs as RoleOut;
      assert.strictEqual(rotated.passwordVerified, false);
      const proofs = byAddress(rotated.nodeProofs);
      assert.strictEqual(proofs[nodes[0].address].verified, true);
      assert.strictEqual(proofs[nodes[2].address].verified, true);
      assert.strictEqual(proofs[stopped.address].verified, false);
      assert.match(proofs[stopped.address].answer!, /could not be asked: .*ECONNREFUSED/);
      const notes = (u as { notes?: string[] }).notes ?? [];
      assert.strictEqual(notes.length, 1, JSON.stringify(notes));
      assert.match(
        notes[0],
        new RegExp(`not proved on every node: node ${stopped.address.replace(/\./g, "\\.")} could not be asked`),
      );
      assert.ok(!notes[0].includes("Np-Stop-Pw"), "no password in the warning");
      // the preview of the next up shows the change: the password is set and proved again
      const d = await cassandra.diff(created.id, rotated, inputs("Np-Stop-Pw1"));
      assert.deepStrictEqual(d.diffs, ["passwordVerified"]);
    } finally {
      await stopped.start();
    }
    const t = Date.now();
    const next = await cassandra.update(created.id, rotated, inputs("Np-Stop-Pw1"));
    console.log(
      `    [cluster-proofs] a rotation with node ${stopped.index} stopped: ${(elapsed / 1000).toFixed(1)} s (the bound ` +
        `on the stopped node); the next up with it back: ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
    assert.strictEqual((next.outs as RoleOut).passwordVerified, true);
    allVerified((next.outs as RoleOut).nodeProofs);
    for (const node of nodes) assert.strictEqual(await login(node, role, "Np-Stop-Pw1"), true);
    const read = await cassandra.read(created.id, next.outs as RoleOut);
    assert.strictEqual((read.props as RoleOut).passwordVerified, true);
    allVerified((read.props as RoleOut).nodeProofs);
    await cassandra.remove(created.id, next.outs as RoleOut);
  });

  it("a node whose credentials cache outlives the bound: the update fails naming it (the change recorded, passwordVerified false); with credentialsCacheMs covering it, the proof waits and passes", async () => {
    const role = fresh();
    const node3 = nodes[2];
    const inputs = (password: string, credentialsCacheMs?: number): CassandraRolePasswordInputs => ({
      connection: connection(nodes[0], credentialsCacheMs === undefined ? {} : { credentialsCacheMs }),
      role,
      password,
      createIfMissing: true,
      deleteRoleOnDestroy: true,
    });
    const created = await cassandra.create(inputs("Np-Cache-Pw0", NODE3_CACHE_MS));
    // node 3 checks the password now: its cache holds the role's hash for 10 s
    assert.strictEqual(await login(node3, role, "Np-Cache-Pw0"), true);
    const t = Date.now();
    const failed = await cassandra.update(created.id, created.outs as RoleOut, inputs("Np-Cache-Pw1")).then(
      () => assert.fail("the update must fail while node 3 keeps the old password"),
      (e: unknown) => e as Error & { properties?: RoleOut; id?: string },
    );
    const failedAfter = Date.now() - t;
    assert.strictEqual(failed.name, "CqlError", String(failed));
    assert.match(
      failed.message,
      new RegExp(`node ${node3.address.replace(/\./g, "\\.")} refuses the new password and takes the old one`),
    );
    assert.ok(!failed.message.includes("Np-Cache-Pw"), "no password in the message");
    // the change is recorded, unproved
    const recorded = failed.properties!;
    assert.strictEqual(failed.id, created.id);
    assert.strictEqual(recorded.password, "Np-Cache-Pw1");
    assert.strictEqual(recorded.passwordVerified, false);
    assert.strictEqual(byAddress(recorded.nodeProofs)[node3.address].verified, false);
    const contactProof = byAddress(recorded.nodeProofs)[nodes[0].address];
    assert.strictEqual(contactProof.verified, true, JSON.stringify(recorded.nodeProofs));

    // node 3 lets go once its entry expires; it then caches the new hash, for 10 s again
    await waitFor("node 3 to take the new password", () => login(node3, role, "Np-Cache-Pw1"), 15000, 250);
    const t2 = Date.now();
    const passed = await cassandra.update(created.id, recorded, inputs("Np-Cache-Pw2", NODE3_CACHE_MS));
    const waited = Date.now() - t2;
    console.log(
      `    [cluster-proofs] node 3 with a 10 s cache: the 3 s bound failed after ${(failedAfter / 1000).toFixed(1)} s; ` +
        `credentialsCacheMs ${NODE3_CACHE_MS} proved after ${(waited / 1000).toFixed(1)} s`,
    );
    assert.strictEqual((passed.outs as RoleOut).passwordVerified, true);
    allVerified((passed.outs as RoleOut).nodeProofs);
    assert.ok(waited > SETTLE.boundMs, `the proof waited for node 3 (${waited} ms), longer than the 3 s bound`);
    await cassandra.remove(created.id, passed.outs as RoleOut);
  });

  describe("with system_auth at Cassandra's default RF 1", () => {
    atDefaultAuthReplication(() => cluster);

    it("with the node holding the role's row stopped, a refresh names every node: that one not reachable, the others unable to check the credentials", async () => {
      // a role whose row is on another node than the superuser's (which the connection needs)
      const [superOwner] = await cluster.replicasOfRole(cluster.superuser.username);
      let role = fresh();
      while ((await cluster.replicasOfRole(role))[0] === superOwner) role = fresh();
      const [owner] = await cluster.replicasOfRole(role);
      // the contact point: neither of the two
      const contact = nodes.find((x) => x !== owner && x !== superOwner) ?? nodes.find((x) => x !== owner)!;
      const inputs: CassandraRolePasswordInputs = {
        connection: connection(contact, { credentialsCacheMs: NODE3_VALIDITY_MS }),
        role,
        password: "Np-Rf1-Pw0",
        createIfMissing: true,
      };
      const created = await cassandra.create(inputs);
      allVerified((created.outs as RoleOut).nodeProofs);
      await owner.stop();
      try {
        const err = await cassandra.read(created.id, created.outs as RoleOut).then(
          (r) => assert.fail(`the refresh answered ${JSON.stringify(r.props && (r.props as RoleOut).nodeProofs)}`),
          (e: unknown) => e as Error,
        );
        console.log(`    [cluster-proofs] RF 1, node ${owner.index} (the role's) stopped: ${err.message}`);
        assert.strictEqual(err.name, "CqlError");
        assert.match(err.message, /no node could be asked/);
        const esc = (a: string) => a.replace(/[.[\]]/g, "\\$&");
        assert.match(err.message, new RegExp(`node ${esc(owner.address)} could not be asked: .*ECONNREFUSED`));
        for (const other of nodes.filter((x) => x !== owner)) {
          assert.match(
            err.message,
            new RegExp(`node ${esc(other.address)} could not be asked: [^;]*could not check the credentials`),
          );
        }
        assert.ok(!err.message.includes("Np-Rf1-Pw0"));
      } finally {
        await owner.start();
      }
      const back = await cassandra.read(created.id, created.outs as RoleOut);
      assert.strictEqual((back.props as RoleOut).passwordVerified, true);
      await nodes[0].cql([`DROP ROLE "${role}"`]);
    });
  });
});
