/**
 * The nodes a CQL proof logs in on (provider/cql/nodes.ts) and the one read besides logins,
 * against scripted CQL servers on loopback: the QUERY frame cqlNodeQuery sends after the login
 * and the ROWS results it parses (metadata flags, the global table spec or each column's, type
 * options of collections, paging state, inet cells of 4 and 16 bytes, int cells, nulls), the
 * fallback from system.peers_v2 to system.peers, discovery as the first identity the node takes,
 * and GeminiDB's `cql` proof on three scripted nodes: every node proved, one node that keeps the
 * old password, one that cannot be reached, a reset the database never applied, a refresh that
 * finds drift on one node.
 */
import * as assert from "assert";
import * as util from "util";
import { CqlRows, cqlNodeQuery, inetAddress, parseResult } from "../../provider/cql/login";
import {
  DISCOVERY_REUSE,
  PEERS_STATEMENTS,
  cqlNodes,
  discoverPeers,
  forgetDiscoveries,
  peersOf,
} from "../../provider/cql/nodes";
import { cqlTarget } from "../../provider/cql/client";
import { CqlError } from "../../provider/shared/errors";
import { GEMINIDB_RETRY } from "../../provider/geminidb/client";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import {
  GeminiDbEmulator,
  TEST_INSTANCE,
  TEST_PROJECT,
  emulatorInputs,
  startEmulator,
} from "../../harness/geminidb-emulator";
import { int, passwordNode, rows, serve, short, statementOf, str } from "../helpers/cql-server";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dist: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");

const PASSWORD = "Pässwörd-Nodes-1'\"";

// ---------------------------------------------------------------- frames

const INET = short(0x0010);
const INT = short(0x0009);
const UUID = short(0x000c);
const SET_OF_TEXT = Buffer.concat([short(0x0022), short(0x000d)]);
const ipv4 = (a: string) => Buffer.from(a.split(".").map(Number));
const int4 = (n: number) => int(n);

const local = (port: number) => ({ host: "127.0.0.1", port });

/** Three scripted nodes: the contact point lists the two others in system.peers_v2. */
async function trio(accepts: (node: number, user: string, password: string) => boolean = () => true) {
  const servers: Array<Awaited<ReturnType<typeof serve>>> = [];
  for (let i = 0; i < 3; i++) {
    servers.push(
      await serve(
        passwordNode(
          (u, p) => accepts(i, u, p),
          () =>
            rows(
              [
                ["peer", INET],
                ["native_address", INET],
                ["native_port", INT],
              ],
              servers.slice(1).map((s) => [ipv4("127.0.0.1"), ipv4("127.0.0.1"), int4(s.port)]),
            ),
        ),
      ),
    );
  }
  return servers;
}

describe("the nodes of a CQL proof, against scripted CQL servers", () => {
  describe("cqlNodeQuery: one read after the login", () => {
    it("sends STARTUP, AUTH_RESPONSE, then QUERY (the statement as a long string, consistency ONE, no flags), and parses the ROWS: inet of 4 and 16 bytes, int, null", async () => {
      const six = Buffer.from("fe800000000000000000000000000001", "hex");
      const s = await serve(
        passwordNode(
          (u, p) => u === "app" && p === PASSWORD,
          () =>
            rows(
              [
                ["peer", INET],
                ["native_address", INET],
                ["native_port", INT],
              ],
              [
                [ipv4("10.0.0.2"), ipv4("10.1.0.2"), int4(9042)],
                [six, six, int4(19042)],
                [ipv4("10.0.0.4"), null, null],
              ],
            ),
        ),
      );
      try {
        const r = await cqlNodeQuery(local(s.port), "app", PASSWORD, PEERS_STATEMENTS, 5000);
        assert.deepStrictEqual(
          s.seen.frames.map((f) => [f.version, f.opcode]),
          [
            [4, 0x01],
            [4, 0x0f],
            [4, 0x07],
          ],
        );
        const q = s.seen.frames[2].body;
        const text = PEERS_STATEMENTS[0];
        assert.strictEqual(q.readInt32BE(0), Buffer.byteLength(text));
        assert.strictEqual(statementOf(q), text);
        assert.deepStrictEqual([...q.subarray(4 + Buffer.byteLength(text))], [0x00, 0x01, 0x00]);
        assert.strictEqual(r.statement, 0);
        assert.deepStrictEqual(
          r.rows.columns.map((c) => [c.name, c.type]),
          [
            ["peer", 0x10],
            ["native_address", 0x10],
            ["native_port", 0x09],
          ],
        );
        assert.deepStrictEqual(r.rows.rows, [
          ["10.0.0.2", "10.1.0.2", 9042],
          ["fe80::1", "fe80::1", 19042],
          ["10.0.0.4", null, null],
        ]);
        // a node that lists no native address (still joining) is reached at its peer address
        assert.deepStrictEqual(peersOf(0, r.rows, 9042), [
          { host: "10.1.0.2", port: 9042 },
          { host: "fe80::1", port: 19042 },
          { host: "10.0.0.4", port: 9042 },
        ]);
      } finally {
        await s.close();
      }
    });

    it("a server without system.peers_v2 (invalid: unconfigured table) is asked system.peers on the same connection; rpc_address 0.0.0.0 means the peer's address, the port is the contact point's", async () => {
      const s = await serve(
        passwordNode(
          () => true,
          (statement) =>
            /peers_v2/.test(statement)
              ? [0x2200, "unconfigured table peers_v2"]
              : rows(
                  [
                    ["peer", INET],
                    ["rpc_address", INET],
                  ],
                  [
                    [ipv4("10.0.0.2"), ipv4("10.1.0.2")],
                    [ipv4("10.0.0.3"), ipv4("0.0.0.0")],
                  ],
                  { perColumn: true },
                ),
        ),
      );
      try {
        const peers = await discoverPeers(local(s.port), [{ username: "app", password: PASSWORD }], 5000);
        assert.deepStrictEqual(peers, [
          { host: "10.1.0.2", port: s.port },
          { host: "10.0.0.3", port: s.port },
        ]);
        assert.deepStrictEqual(
          s.seen.frames.filter((f) => f.opcode === 0x07).map((f) => statementOf(f.body)),
          [...PEERS_STATEMENTS],
        );
        assert.strictEqual(s.seen.frames.filter((f) => f.opcode === 0x01).length, 1, "one connection");
      } finally {
        await s.close();
      }
    });

    it("refused credentials: a CqlError UNAUTHENTICATED (no query sent); a statement the node refuses: its code, operation query; neither holds the password", async () => {
      const refusing = await serve(passwordNode(() => false));
      const unauthorized = await serve(
        passwordNode(
          () => true,
          () => [0x2100, "User app has no SELECT permission"],
        ),
      );
      try {
        for (const [port, code, operation] of [
          [refusing.port, "UNAUTHENTICATED", "login"],
          [unauthorized.port, "8448", "query"],
        ] as const) {
          const err = await cqlNodeQuery(local(port), "app", PASSWORD, PEERS_STATEMENTS, 5000).then(
            () => assert.fail("must throw"),
            (e: unknown) => e as CqlError,
          );
          assert.ok(err instanceof CqlError, String(err));
          assert.strictEqual(err.serverCode, code);
          assert.strictEqual(err.operation, operation);
          for (const text of [err.message, util.inspect(err), String(err.stack)]) assert.ok(!text.includes(PASSWORD));
        }
        assert.strictEqual(refusing.seen.frames.filter((f) => f.opcode === 0x07).length, 0);
      } finally {
        await refusing.close();
        await unauthorized.close();
      }
    });
  });

  describe("parseResult and inetAddress", () => {
    it("skips what it does not need: a paging state, per-column table specs, a set<text> column's option, a uuid cell", () => {
      const body = rows(
        [
          ["host_id", UUID],
          ["tokens", SET_OF_TEXT],
          ["native_port", INT],
        ],
        [[Buffer.alloc(16, 7), Buffer.concat([int(1), str("-9223372036854775808")]), int4(9042)]],
        { perColumn: true, paging: Buffer.from("more") },
      );
      const r: CqlRows = parseResult(body);
      assert.deepStrictEqual(
        r.columns.map((c) => c.name),
        ["host_id", "tokens", "native_port"],
      );
      assert.deepStrictEqual(r.rows[0][0], Buffer.alloc(16, 7));
      assert.strictEqual(r.rows[0][2], 9042);
    });

    it("a result without metadata has unnamed columns; a void result has no rows; a result cut short throws", () => {
      const noMeta = parseResult(rows([["x", INT]], [[int4(1)]], { noMetadata: true }));
      assert.deepStrictEqual(noMeta.columns, [{ name: "", type: -1 }]);
      assert.deepStrictEqual(parseResult(int(0x0001)), { columns: [], rows: [] });
      const whole = rows([["native_port", INT]], [[int4(9042)]]);
      assert.throws(() => parseResult(whole.subarray(0, whole.length - 2)), /cut short/);
    });

    it("formats addresses as the RFC says: IPv4 dotted, IPv6 with the longest run of zeros as ::, IPv4-mapped", () => {
      const hex = (h: string) => Buffer.from(h, "hex");
      assert.strictEqual(inetAddress(ipv4("192.168.1.20")), "192.168.1.20");
      assert.strictEqual(inetAddress(hex("00000000000000000000000000000001")), "::1");
      assert.strictEqual(inetAddress(hex("20010db8000000000001000000000001")), "2001:db8::1:0:0:1");
      assert.strictEqual(inetAddress(hex("20010db8000100020003000400050006")), "2001:db8:1:2:3:4:5:6");
      assert.strictEqual(inetAddress(hex("00000000000000000000ffff0a000005")), "::ffff:10.0.0.5");
      assert.throws(() => inetAddress(Buffer.alloc(5)), /inet cell of 5 bytes/);
    });
  });

  describe("cqlNodes: which nodes, resolved once", () => {
    const target = (port: number) => cqlTarget({ address: `127.0.0.1:${port}`, timeoutMs: 3000 });
    const addresses = (ports: number[]) => ports.map((p) => `127.0.0.1:${p}`);
    const reuse = DISCOVERY_REUSE.ms;
    afterEach(() => {
      forgetDiscoveries();
      DISCOVERY_REUSE.ms = reuse;
    });
    const queries = (s: { seen: { frames: Array<{ opcode: number }> } }) =>
      s.seen.frames.filter((f) => f.opcode === 0x07).length;

    it("the operations of a process share a contact point's discovery, one under way included; the others' proofs log in themselves", async () => {
      const servers = await trio((i, u, p) => u === "app" && p === PASSWORD);
      try {
        const [a, b, c] = servers.map((s) => s.port);
        const who = () => [{ username: "app", password: PASSWORD }];
        const startups = () => servers[0].seen.frames.filter((f) => f.opcode === 0x01).length;
        // five operations at once, as Pulumi runs a refresh's reads
        const all = await Promise.all([1, 2, 3, 4, 5].map(() => cqlNodes(target(a)).logins("app", who)));
        for (const logins of all)
          assert.deepStrictEqual(
            logins.map((l) => l.address),
            addresses([a, b, c]),
          );
        assert.strictEqual(queries(servers[0]), 1, "one discovery for the five");
        assert.strictEqual(startups(), 1);
        // the one that discovered: its login answers its proof's first; the others ask the node
        const answers = await Promise.all(all.map((logins) => logins[0].login(PASSWORD)));
        assert.deepStrictEqual(answers, [true, true, true, true, true]);
        assert.strictEqual(startups(), 5, "four proofs' logins on the contact point, none for discovery");
        // later, within DISCOVERY_REUSE.ms: still shared; once it has passed: discovered anew
        await cqlNodes(target(a)).logins("app", who);
        assert.strictEqual(queries(servers[0]), 1);
        DISCOVERY_REUSE.ms = 0;
        await cqlNodes(target(a)).logins("app", who);
        assert.strictEqual(queries(servers[0]), 2);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });

    it("a shared discovery whose identities are refused: the others discover with their own at once, and only its operation waits its bound", async () => {
      const servers = await trio((i, u, p) => u === "app" && p === PASSWORD);
      try {
        const [a, b, c] = servers.map((s) => s.port);
        const bound = { boundMs: 1500, baseDelayMs: 200, maxDelayMs: 400 };
        const wrong = cqlNodes(target(a), {}, bound);
        const right = cqlNodes(target(a), {}, bound);
        const started = Date.now();
        const wrongDone = wrong.logins("app", () => [{ username: "app", password: "Wrong-Pw-1" }]);
        const logins = await right.logins("app", () => [{ username: "app", password: PASSWORD }]);
        const rightMs = Date.now() - started;
        assert.deepStrictEqual(
          logins.map((l) => l.address),
          addresses([a, b, c]),
        );
        assert.ok(rightMs < 1000, `the right identities waited ${rightMs} ms for the wrong ones' bound`);
        // the refused operation tries its own identities until its bound, as it did before
        // discoveries were shared, and ends with the contact point alone and a note
        const theirs = await wrongDone;
        assert.ok(Date.now() - started >= 1400, "the refused operation waited its own bound");
        assert.deepStrictEqual(
          theirs.map((l) => l.address),
          addresses([a]),
        );
        assert.match(wrong.notes()[0], /could not be discovered/);
        assert.deepStrictEqual(right.notes(), []);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });

    it("discovers the peers once (the first identity the contact point takes), logs in on every node, and lists each node once", async () => {
      const servers = await trio((i, u, p) => u === "app" && p === PASSWORD);
      try {
        const [a, b, c] = servers.map((s) => s.port);
        // b listed too: it is not asked twice
        const nodes = cqlNodes(target(a), { nodes: [`127.0.0.1:${b}`], discoverNodes: true });
        const who = () => [
          { username: "app", password: "Wrong-Pw-1" },
          { username: "app", password: PASSWORD },
        ];
        const logins = await nodes.logins("app", who);
        assert.deepStrictEqual(
          logins.map((l) => l.address),
          addresses([a, b, c]),
        );
        assert.deepStrictEqual(await Promise.all(logins.map((l) => l.login(PASSWORD))), [true, true, true]);
        await nodes.logins("other", who);
        assert.strictEqual(servers[0].seen.frames.filter((f) => f.opcode === 0x07).length, 1, "discovered once");
        assert.deepStrictEqual(nodes.notes(), []);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });

    it("the contact point's discovery login answers the proof's first login there with that password; the next asks the node", async () => {
      const servers = await trio((i, u, p) => u === "app" && p === PASSWORD);
      try {
        const [a, b, c] = servers.map((s) => s.port);
        const nodes = cqlNodes(target(a));
        const logins = await nodes.logins("app", () => [{ username: "app", password: PASSWORD }]);
        const startups = (i: number) => servers[i].seen.frames.filter((f) => f.opcode === 0x01).length;
        assert.strictEqual(startups(0), 1, "the discovery's connection");
        assert.deepStrictEqual(await Promise.all(logins.map((l) => l.login(PASSWORD))), [true, true, true]);
        assert.deepStrictEqual(
          [startups(0), startups(1), startups(2)],
          [1, 1, 1],
          "no second login on the contact point",
        );
        // another password, and the same one asked again, go to the node
        assert.strictEqual(await logins[0].login("Wrong-Pw-1"), false);
        assert.strictEqual(await logins[0].login(PASSWORD), true);
        assert.strictEqual(startups(0), 3);
        assert.deepStrictEqual(
          logins.map((l) => l.address),
          addresses([a, b, c]),
        );
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });

    it("a discovery that took an old password (a cache still held it) answers no later login: the proof asking the old one after the new took hears the node", async () => {
      let accepts = "Old-Pw-1";
      const servers = await trio((i, u, p) => u === "app" && p === accepts);
      try {
        const [a] = servers.map((s) => s.port);
        const nodes = cqlNodes(target(a));
        // the new password refused at discovery, the old one taken
        const logins = await nodes.logins("app", () => [
          { username: "app", password: PASSWORD },
          { username: "app", password: "Old-Pw-1" },
        ]);
        // the cache lets go: the node takes the new password, refuses the old
        accepts = PASSWORD;
        assert.strictEqual(await logins[0].login(PASSWORD), true);
        assert.strictEqual(await logins[0].login("Old-Pw-1"), false, "the node's answer, not discovery's");
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });

    it("with nodes and no discoverNodes, stays on the list (host alone takes the address's port); without nodes, discovers", async () => {
      const servers = await trio();
      try {
        const [a, , c] = servers.map((s) => s.port);
        const listed = cqlNodes(target(a), { nodes: [`127.0.0.1:${c}`, "127.0.0.1"] });
        const who = () => [{ username: "app", password: PASSWORD }];
        assert.deepStrictEqual(
          (await listed.logins("app", who)).map((l) => l.address),
          addresses([a, c]),
        );
        assert.strictEqual(servers[0].seen.frames.filter((f) => f.opcode === 0x07).length, 0, "no discovery");
        const discovered = cqlNodes(target(a));
        assert.strictEqual((await discovered.logins("app", who)).length, 3);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });

    it("a discovery that fails keeps the contact point and the listed nodes, with a note naming them and why", async () => {
      const servers = await trio(() => false);
      try {
        const [a, b] = servers.map((s) => s.port);
        const nodes = cqlNodes(target(a), { nodes: [`127.0.0.1:${b}`], discoverNodes: true });
        const logins = await nodes.logins("app", () => [{ username: "app", password: PASSWORD }]);
        assert.deepStrictEqual(
          logins.map((l) => l.address),
          addresses([a, b]),
        );
        const [note] = nodes.notes();
        assert.match(note, /the cluster's nodes could not be discovered \(.*authentication failed as app.*\)/);
        assert.match(note, new RegExp(`the proof covers 127\\.0\\.0\\.1:${a}, 127\\.0\\.0\\.1:${b} only`));
        assert.ok(!note.includes(PASSWORD));
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });

    it("asks again within the bound while every identity is refused (a new password the contact point's cache does not take yet)", async () => {
      const since = Date.now();
      const servers = await trio((i, u, p) => p === PASSWORD && Date.now() - since > 400);
      try {
        const peers = await discoverPeers(local(servers[0].port), [{ username: "app", password: PASSWORD }], 3000, {
          boundMs: 3000,
          baseDelayMs: 200,
          maxDelayMs: 500,
        });
        assert.strictEqual(peers.length, 2);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });
  });

  describe("GeminiDbAdminPassword with cql on three scripted nodes", function () {
    this.timeout(60000);
    const ops = dist.withSettings({
      retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 200, maxElapsedMs: 2000 },
      proof: { boundMs: 1500, baseDelayMs: 100, maxDelayMs: 300 },
    });
    let emu: GeminiDbEmulator;
    let servers: Array<Awaited<ReturnType<typeof serve>>>;
    /** What each node takes: the instance's password, unless a test says otherwise for that node. */
    let override: Array<((password: string) => boolean) | undefined>;
    const current = () => emu.instances.get(TEST_INSTANCE)!.password;

    beforeEach(async () => {
      emu = await startEmulator();
      token = emu.issueToken(TEST_PROJECT);
      override = [undefined, undefined, undefined];
      servers = await trio((i, u, p) => u === "rwuser" && (override[i] ? override[i]!(p) : p === current()));
    });
    afterEach(async () => {
      await emu.stop();
      await Promise.all(servers.map((s) => s.close()));
    });

    let token: string;
    const inputs = (
      password: string,
      cql: Partial<NonNullable<GeminiDbAdminPasswordInputs["cql"]>> = {},
    ): GeminiDbAdminPasswordInputs =>
      emulatorInputs(emu, { auth: { token }, password, cql: { ...cql, address: `127.0.0.1:${servers[0].port}` } });
    const address = (i: number) => `127.0.0.1:${servers[i].port}`;
    const ID = `${TEST_PROJECT}/${TEST_INSTANCE}`;

    it("proves a reset on every node and records each in nodeProofs", async () => {
      const c = await ops.create(inputs("Nodes-Pw~01"));
      assert.strictEqual(c.outs!.passwordVerified, true);
      assert.deepStrictEqual(c.outs!.nodeProofs, [
        { address: address(0), verified: true },
        { address: address(1), verified: true },
        { address: address(2), verified: true },
      ]);
      for (const s of servers)
        assert.ok(
          s.seen.frames.some((f) => f.opcode === 0x0f),
          "each node was asked",
        );
    });

    it("a node that keeps the old password: the update fails naming it, the reset recorded with passwordVerified false", async () => {
      const c = await ops.create(inputs("Nodes-Pw~01"));
      override[2] = (p) => p === "Nodes-Pw~01";
      const err = await ops.update(ID, c.outs!, inputs("Nodes-Pw~02")).then(
        () => assert.fail("must fail"),
        (e: unknown) => e as Error & { properties?: GeminiDbAdminPasswordOutputs },
      );
      assert.match(err.message, new RegExp(`node ${address(2)} refuses the new password and takes the old one`));
      assert.ok(!err.message.includes("Nodes-Pw"));
      assert.strictEqual(err.properties!.password, "Nodes-Pw~02");
      assert.strictEqual(err.properties!.passwordVerified, false);
      assert.deepStrictEqual(
        err.properties!.nodeProofs!.map((p) => p.verified),
        [true, true, false],
      );
    });

    it("every node keeps the old password (the API answered without acting): not applied, state keeps the old password", async () => {
      const c = await ops.create(inputs("Nodes-Pw~01"));
      emu.inject("password.put", { kind: "fakeSuccess" });
      const err = await ops.update(ID, c.outs!, inputs("Nodes-Pw~02")).then(
        () => assert.fail("must fail"),
        (e: unknown) => e as Error & { properties?: unknown },
      );
      assert.match(err.message, /still logging in with the old password .*state keeps the old password/);
      assert.strictEqual(err.properties, undefined);
    });

    it("a node that cannot be reached: the reset succeeds with a warning naming it, passwordVerified false; a refresh then finds drift on one node", async () => {
      const gone = await serve(() => undefined);
      const port = gone.port;
      await gone.close();
      const cql = { nodes: [`127.0.0.1:${port}`], discoverNodes: true };
      const c = await ops.create(inputs("Nodes-Pw~01", cql));
      assert.strictEqual(c.outs!.passwordVerified, false);
      const unreachable = c.outs!.nodeProofs!.find((p) => p.address === `127.0.0.1:${port}`)!;
      assert.strictEqual(unreachable.verified, false);
      assert.match(unreachable.answer!, /could not be asked: .*ECONNREFUSED/);
      assert.strictEqual(c.outs!.nodeProofs!.filter((p) => p.verified).length, 3);
      assert.match(
        c.notes![0],
        new RegExp(`not proved on every node \\(cql\\): node 127\\.0\\.0\\.1:${port} could not`),
      );
      // the next up resets it again (the diff says so); a refresh on the three nodes, one of them drifted
      assert.deepStrictEqual((await ops.diff(ID, c.outs!, inputs("Nodes-Pw~01", cql))).diffs, ["passwordVerified"]);
      override[1] = () => false;
      const r = await ops.read(ID, { ...c.outs!, cql: { address: address(0) } });
      const props = r.props as GeminiDbAdminPasswordOutputs;
      assert.strictEqual(props.passwordVerified, false);
      assert.deepStrictEqual(
        props.nodeProofs!.map((p) => [p.address, p.verified, p.answer]),
        [
          [address(0), true, undefined],
          [address(1), false, "refuses the password in state"],
          [address(2), true, undefined],
        ],
      );
    });
  });
});
