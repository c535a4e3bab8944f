/**
 * The fault matrix: every fault the issue names, against every resource, one row each:
 * MilvusUserPassword on the Milvus gRPC test server, GeminiDbAdminPassword on the IAM + GeminiDB
 * emulator (and its CQL proof on a real Cassandra, its Redis and Influx proofs on a real
 * redis-server and influxd), CassandraRolePassword on a real Cassandra.
 * A row arranges a fault, runs one rotation through the provider (the built package, as Pulumi
 * runs it) and asserts:
 *   - the outcome: success after N calls, or the right typed error and server code;
 *   - the number of calls the server saw on the faulted method;
 *   - the elapsed time stays inside the row's bound (a lower bound too where a wait is owed);
 *   - state and server agree afterwards (state = new outputs on success, old outputs on failure,
 *     as Pulumi keeps them), or else the next run converges; every row also proves the next
 *     run converges;
 *   - no secret, in any form, in the error or anything written to stdout/stderr.
 * The matrix is printed as a table when the suite ends.
 */
import * as assert from "assert";
import * as grpc from "@grpc/grpc-js";
import * as http from "http";
import * as net from "net";
import { milvusUserPasswordProvider as milvus } from "../../provider";
import { GEMINIDB_RETRY } from "../../provider/geminidb/client";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "../../provider/milvus/schema";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "../../provider/geminidb/schema";
import { MilvusFault, MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import {
  GeminiDbFault,
  GeminiDbEmulator,
  Route,
  TEST_INSTANCE,
  TEST_PROJECT,
  emulatorInputs,
  startEmulator,
} from "../../harness/geminidb-emulator";
import { assertNoLeak, captureOutput, errorTexts } from "../helpers/leaks";
import { READ_RETRY, canLogin } from "../../provider/milvus/client";
import * as path from "path";
import { PulumiProject } from "../../harness/pulumi-cli";
import { waitFor } from "../../harness/support";
import { RealCassandra, sharedCassandra } from "../../harness/real-cassandra";
import { CqlEndpoint, cqlAs, cqlCanLogin, cqlLogsInWithin } from "../../harness/cql";
import { cqlString } from "../../provider/cql/client";
import { execFileSync } from "child_process";
import type { CassandraRolePasswordInputs, CassandraRolePasswordOutputs } from "../../provider/cassandra/schema";
import { HoldProxy } from "../../harness/hold-proxy";
import { RealRedis, startRealRedis } from "../../harness/real-redis";
import { RealInflux, startRealInflux } from "../../harness/real-influx";
import { redisLogin } from "../../provider/redis/client";
import { influxLogin } from "../../provider/influx/client";

// the matrix is printed once every row of every resource has run
after(() => printMatrix());

// GeminiDB's lifecycle as the provider host runs it (the built package), with short retry
// bounds injected; the real bounds are GEMINIDB_RETRY.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const geminiOperations: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");
const gemini = geminiOperations.withSettings({
  retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 2000, maxElapsedMs: 20000 },
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const distAuth = require("../../dist/geminidb/auth");

interface Expect {
  /** undefined: success; else the error class name. */
  error?: "MilvusError" | "GeminiDbError" | "ConfigError" | "CqlError" | "RedisError" | "InfluxError";
  code?: string;
  message?: RegExp;
  /** calls the server saw on the faulted method */
  calls: number;
  maxMs: number;
  minMs?: number;
}

interface MatrixLine {
  resource: string;
  fault: string;
  outcome: string;
  calls: number;
  elapsedMs: number;
  afterFault: "agree" | "diverged";
  converged: boolean;
}

const matrix: MatrixLine[] = [];

function printMatrix() {
  if (!matrix.length) return;
  const head = ["resource", "fault", "outcome", "calls", "ms", "state vs server", "next run"];
  const rows = matrix.map((m) => [
    m.resource,
    m.fault,
    m.outcome,
    String(m.calls),
    String(m.elapsedMs),
    m.afterFault,
    m.converged ? "converged" : "NOT CONVERGED",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "      | " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  const out = [line(head), "      |" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)];
  const recovered = matrix.filter((m) => !m.outcome.startsWith("error")).length;
  const failedCleanly = matrix.filter((m) => m.outcome.startsWith("error")).length;
  out.push(
    `      faults tried: ${matrix.length}; succeeded (after retries where due): ${recovered}; failed cleanly with a typed error: ${failedCleanly}; ` +
      `state and server agreed right after the fault: ${matrix.filter((m) => m.afterFault === "agree").length}; converged on the next run: ${matrix.filter((m) => m.converged).length}`,
  );
  console.log("\n" + out.join("\n") + "\n");
}

async function timed<T>(fn: () => Promise<T>) {
  const started = Date.now();
  const r = await captureOutput(fn);
  return { ...r, elapsedMs: Date.now() - started };
}

function checkOutcome(
  name: string,
  r: { error?: unknown; output: string; elapsedMs: number },
  expect: Expect,
  calls: number,
  secrets: string[],
) {
  const err = r.error as (Error & { serverCode?: string }) | undefined;
  if (expect.error) {
    assert.ok(err, `${name}: expected ${expect.error}, but it succeeded`);
    assert.strictEqual(err.name, expect.error, `${name}: ${String(err)}`);
    if (expect.code) assert.strictEqual(err.serverCode, expect.code, `${name}: ${String(err)}`);
    if (expect.message) assert.match(err.message, expect.message);
  } else {
    assert.ok(!err, `${name}: expected success, got ${String(err)}`);
  }
  assert.strictEqual(calls, expect.calls, `${name}: calls the server saw`);
  assert.ok(r.elapsedMs <= expect.maxMs, `${name}: took ${r.elapsedMs} ms, bound ${expect.maxMs} ms`);
  if (expect.minMs !== undefined)
    assert.ok(r.elapsedMs >= expect.minMs, `${name}: took ${r.elapsedMs} ms, owed a wait of ${expect.minMs} ms`);
  assertNoLeak([...(err ? errorTexts(err) : []), r.output], secrets, `${name}: error or log`);
  return err ? `error ${err.name}${err.serverCode ? ` ${err.serverCode}` : ""}` : "ok";
}

// ================================================================== Milvus

interface MilvusRow {
  fault: string;
  method?: string;
  faults?: MilvusFault[];
  /** arranges something other than scripted faults (e.g. a closed listener); returns the undo */
  arrange?: (s: MilvusTestServer) => Promise<() => Promise<void>>;
  expect: Expect;
}

const grpcFault = (code: grpc.status, details: string): MilvusFault => ({ kind: "grpc", code, details });
const status = (code: number, error_code: string, reason: string): MilvusFault => ({
  kind: "status",
  code,
  error_code,
  reason,
});

const MILVUS_ROWS: MilvusRow[] = [
  {
    fault: "connection refused",
    arrange: async (s) => (await s.refuseConnections(), () => s.acceptConnections()),
    expect: { error: "MilvusError", code: "UNAVAILABLE", message: /not reachable/, calls: 0, maxMs: 20000 },
  },
  { fault: "timeout before the server acts", faults: [{ kind: "hang" }], expect: { calls: 2, maxMs: 10000 } },
  {
    fault: "timeout after the server acted",
    faults: [{ kind: "applyThenDelay", ms: 2500 }],
    expect: { calls: 1, maxMs: 10000 },
  },
  { fault: "reset before the server acts", faults: [{ kind: "drop" }], expect: { calls: 2, maxMs: 10000 } },
  { fault: "reset after the server acted", faults: [{ kind: "applyThenDrop" }], expect: { calls: 1, maxMs: 10000 } },
  {
    fault: "slow answer inside the timeout",
    faults: [{ kind: "delay", ms: 600 }],
    expect: { calls: 1, maxMs: 5000, minMs: 600 },
  },
  { fault: "UNAVAILABLE once", faults: [{ kind: "unavailable" }], expect: { calls: 2, maxMs: 8000 } },
  {
    fault: "UNAVAILABLE on the login proof once",
    method: "GetVersion",
    faults: [{ kind: "unavailable" }],
    expect: { calls: 1, maxMs: 8000 },
  },
  {
    fault: "UNAVAILABLE, lasting",
    faults: Array(5).fill({ kind: "unavailable" }),
    expect: { error: "MilvusError", code: "UNAVAILABLE", calls: 3, maxMs: 15000 },
  },
  {
    fault: "rate limited (RateLimit status) once",
    faults: [status(0, "RateLimit", "request is rejected by grpc RateLimiter middleware")],
    expect: { calls: 2, maxMs: 8000 },
  },
  {
    fault: "1400 old password not correct",
    faults: [status(1400, "UnexpectedError", "old password not correct for app: not authenticated")],
    // refused from state's password, then from the password a run that died may have set (seed.ts)
    expect: { error: "MilvusError", code: "1400", message: /set currentPassword/, calls: 2, maxMs: 8000 },
  },
  {
    fault: "IllegalArgument status (1100)",
    faults: [status(1100, "IllegalArgument", "invalid password length")],
    expect: { error: "MilvusError", code: "1100", calls: 1, maxMs: 8000 },
  },
  {
    fault: "PERMISSION_DENIED",
    faults: [grpcFault(grpc.status.PERMISSION_DENIED, "PrivilegeUpdateUser: permission deny")],
    expect: { error: "MilvusError", code: "PERMISSION_DENIED", calls: 1, maxMs: 8000 },
  },
  {
    fault: "UNAUTHENTICATED",
    faults: [grpcFault(grpc.status.UNAUTHENTICATED, "auth check failure")],
    expect: { error: "MilvusError", code: "UNAUTHENTICATED", calls: 1, maxMs: 8000 },
  },
  {
    fault: "INTERNAL (server crashed mid-call)",
    faults: [grpcFault(grpc.status.INTERNAL, "internal error")],
    expect: { calls: 2, maxMs: 8000 },
  },
  {
    fault: "empty {} reply (UNIMPLEMENTED)",
    faults: [{ kind: "empty" }],
    expect: { error: "MilvusError", code: "EMPTY_REPLY", calls: 1, maxMs: 8000 },
  },
  {
    fault: "Success that did nothing",
    faults: [{ kind: "fakeSuccess" }],
    expect: { error: "MilvusError", message: /new password does not log in/, calls: 1, maxMs: 8000 },
  },
];

describe("fault matrix: MilvusUserPassword on the gRPC test server", function () {
  this.timeout(60000);
  const P1 = "Matrix-first-1";
  const P2 = "Matrix-second-2";
  const BOOT = "Matrix-boot-0";
  const ROOT_PW = "Matrix-root-pw9";
  const secrets = [P1, P2, BOOT, ROOT_PW];
  let server: MilvusTestServer;

  beforeEach(async () => {
    server = await startMilvusTestServer({ root: ROOT_PW, app: BOOT });
  });
  afterEach(async () => server.stop());

  const inputs = (password: string): MilvusUserPasswordInputs => ({
    connection: { address: server.address, username: "root", password: ROOT_PW, timeoutMs: 1000 },
    user: "app",
    password,
  });

  for (const row of MILVUS_ROWS) {
    it(`${row.fault}: ${row.expect.error ? `fails with ${row.expect.error}` : "succeeds"} after ${row.expect.calls} call(s); state and server agree or the next run converges`, async () => {
      const created = await milvus.create({ ...inputs(P1), currentPassword: BOOT });
      const state1 = created.outs as MilvusUserPasswordOutputs;
      server.resetCounts();
      const method = row.method ?? "UpdateCredential";
      if (row.faults) server.inject(method, ...row.faults);
      const undo = row.arrange ? await row.arrange(server) : async () => {};
      const r = await timed(() => milvus.update(created.id, state1, inputs(P2)));
      await undo();
      server.clearFaults();
      const calls = server.count("UpdateCredential");
      const outcome = checkOutcome(row.fault, r, row.expect, calls, secrets);

      // What Pulumi keeps: the new outputs after a success, the old ones after a failure.
      const state = (r.result?.outs ?? state1) as MilvusUserPasswordOutputs;
      const afterFault = server.users.get("app") === state.password ? "agree" : "diverged";
      if (!row.expect.error)
        assert.strictEqual(afterFault, "agree", "a success must leave state and server in agreement");
      // The next run comes once the server answers again (a new `pulumi up` is a new process;
      // here, the same process waits out the connection's reconnect backoff, capped at 2 s).
      await waitFor(
        "the server to answer again",
        () => canLogin({ hostPort: server.address, tls: false, timeoutMs: 1000 }, "root", ROOT_PW),
        10000,
      );
      // The next run, without the fault, converges to the desired password.
      const next = await milvus.update(created.id, state, inputs(P2));
      assert.strictEqual(next.outs!.password, P2);
      assert.strictEqual(server.users.get("app"), P2);
      matrix.push({
        resource: "Milvus",
        fault: row.fault,
        outcome,
        calls,
        elapsedMs: r.elapsedMs,
        afterFault,
        converged: true,
      });
    });
  }

  it("refresh during a lasting fault reports an error and changes nothing; the refresh after it reads the truth", async () => {
    const created = await milvus.create({ ...inputs(P1), currentPassword: BOOT });
    server.resetCounts();
    // the login proof is retried (it only reads): the fault outlasts its three tries
    server.inject("GetVersion", ...Array(READ_RETRY.maxAttempts).fill({ kind: "unavailable" }));
    const r = await timed(() => milvus.read(created.id, created.outs as MilvusUserPasswordOutputs));
    const outcome = checkOutcome(
      "refresh, UNAVAILABLE",
      r,
      { error: "MilvusError", code: "UNAVAILABLE", calls: 0, maxMs: 8000 },
      server.count("UpdateCredential"),
      secrets,
    );
    assert.strictEqual(server.count("GetVersion"), READ_RETRY.maxAttempts);
    assert.strictEqual(server.users.get("app"), P1);
    const again = await milvus.read(created.id, created.outs as MilvusUserPasswordOutputs);
    assert.strictEqual(again.props!.passwordVerified, true);
    matrix.push({
      resource: "Milvus",
      fault: "UNAVAILABLE during refresh",
      outcome,
      calls: 0,
      elapsedMs: r.elapsedMs,
      afterFault: "agree",
      converged: true,
    });
  });
});

describe("fault matrix: MilvusUserPassword with standbyUser (two users) on the gRPC test server", function () {
  this.timeout(60000);
  const P0 = "Pair-matrix-Pw0";
  const P1 = "Pair-matrix-Pw1";
  const ROOT_PW = "Pair-matrix-root9";
  const secrets = [P0, P1, ROOT_PW];
  let server: MilvusTestServer;
  beforeEach(async () => {
    server = await startMilvusTestServer({ root: ROOT_PW });
    server.roles.add("reader").add("writer");
  });
  afterEach(async () => server.stop());

  const inputs = (password: string): MilvusUserPasswordInputs => ({
    connection: { address: server.address, username: "root", password: ROOT_PW, timeoutMs: 1000 },
    user: "app_blue",
    standbyUser: "app_green",
    createIfMissing: true,
    password,
  });
  // The steps of a rotation: password of the standby, its roles, the proofs, the switch (the
  // update's result). Each fault comes after the standby's password has changed.
  const rows: Array<{ fault: string; method: string; pass: number; expect: Expect }> = [
    {
      fault: "between the password change and the role sync",
      method: "OperateUserRole",
      pass: 0,
      expect: { error: "MilvusError", code: "UNAVAILABLE", calls: 1, maxMs: 8000 },
    },
    {
      fault: "between the role sync and the switch",
      method: "GetVersion",
      pass: 1, // GetVersion #1: the active user still logs in, checked before any change
      expect: { error: "MilvusError", code: "UNAVAILABLE", calls: 1, maxMs: 8000 },
    },
  ];
  for (const row of rows) {
    it(`${row.fault}: fails cleanly, the active user is untouched, the next run finishes the switch`, async () => {
      server.users.set("app_blue", "Blue-boot-Pw9");
      server.userRoles.set("app_blue", new Set(["reader"]));
      const created = await milvus.create({ ...inputs(P0), currentPassword: "Blue-boot-Pw9" });
      const state1 = created.outs as MilvusUserPasswordOutputs;
      secrets.push(state1.standbyPassword!);
      server.userRoles.get("app_blue")!.add("writer"); // bound to the active user between rotations
      server.resetCounts();
      const pass = Array.from({ length: row.pass }, (): MilvusFault => ({ kind: "delay", ms: 0 }));
      server.inject(row.method, ...pass, ...Array.from({ length: 4 }, (): MilvusFault => ({ kind: "unavailable" })));
      const r = await timed(() => milvus.update(created.id, state1, inputs(P1)));
      server.clearFaults();
      const outcome = checkOutcome(row.fault, r, row.expect, server.count("UpdateCredential"), secrets);
      assert.strictEqual(server.users.get("app_green"), P1, "the fault came after the standby's password changed");
      // Pulumi keeps the old outputs: the active user they name still logs in with its password.
      const afterFault = server.users.get(state1.activeUser!) === state1.password ? "agree" : "diverged";
      assert.strictEqual(afterFault, "agree");
      const next = (await milvus.update(created.id, state1, inputs(P1))).outs as MilvusUserPasswordOutputs;
      assert.strictEqual(next.activeUser, "app_green");
      assert.strictEqual(server.users.get("app_green"), P1);
      assert.strictEqual(server.users.get("app_blue"), P0);
      assert.deepStrictEqual([...server.userRoles.get("app_green")!].sort(), ["reader", "writer"]);
      matrix.push({
        resource: "Milvus pair",
        fault: row.fault,
        outcome,
        calls: server.count("UpdateCredential"),
        elapsedMs: r.elapsedMs,
        afterFault,
        converged: true,
      });
    });
  }
});

describe("fault matrix: Milvus restarted between two resources of one pulumi up (real CLI)", function () {
  this.timeout(300000);
  const ROOT_PW = "Restart-root-Pw1";
  const COUNT = 3;
  let server: MilvusTestServer;
  let project: PulumiProject;

  before(async () => {
    server = await startMilvusTestServer({ root: ROOT_PW });
    project = new PulumiProject(path.join(__dirname, "many-program"), "restart", {
      PDP_MANY_ADDRESS: server.address,
      PDP_MANY_COUNT: String(COUNT),
    });
    await project.init({}, { rootPassword: ROOT_PW });
  });
  after(async () => {
    await project?.cleanup();
    await server?.stop();
  });

  it("the shared channel reconnects and every resource after the restart succeeds", async () => {
    // Each create ends with its login proof (GetVersion): the server goes down for a second,
    // 100 ms after it has answered the first resource's proof. The program declares each next
    // resource 400 ms after the one before it is created, so that its first call comes while the
    // server is down, never on the connection about to drop (a call that left the process then
    // would be ambiguous, and fail: CI once had the next call within those 100 ms).
    server.inject("GetVersion", { kind: "restartAfter", downMs: 1000 });
    const started = Date.now();
    const r = await project.run(["up", "--yes", "--parallel", "1"], {
      env: { PDP_MANY_ROUND: "1", PDP_MANY_GAP_MS: "400" },
    });
    const elapsedMs = Date.now() - started;
    assert.strictEqual(r.code, 0, r.all);
    assert.strictEqual(server.restarts, 1, "the server restarted during the run");
    for (let i = 0; i < COUNT; i++)
      assert.strictEqual(server.users.get(`many_${i}`), `Many-${i}-round-1`, `user many_${i}`);
    assert.strictEqual(server.count("CreateCredential"), COUNT, "one CreateCredential per user, none repeated");
    // one connection before the restart, one after: the provider process kept its one channel
    assert.strictEqual(server.connections.accepted, 2, `${server.connections.accepted} TCP connections`);
    assertNoLeak([r.all], [ROOT_PW], "CLI output");
    matrix.push({
      resource: "Milvus",
      fault: "server restarted between two resources (CLI)",
      outcome: "ok",
      calls: server.count("CreateCredential"),
      elapsedMs,
      afterFault: "agree",
      converged: true,
    });
  });
});

// ================================================================== GeminiDB

interface GeminiRow {
  fault: string;
  route?: Route;
  faults?: GeminiDbFault[];
  arrange?: (e: GeminiDbEmulator) => Promise<() => Promise<void>>;
  /** "iam": IAM user password (tokens renewable); "token": a given token (not renewable) */
  auth?: "iam" | "token";
  expect: Expect;
  /** extra assertions on the emulator */
  also?: (e: GeminiDbEmulator, ctx: { redirectHits: number }) => void;
}

const apiError = (status: number, code: string, msg: string, retryAfter?: string): GeminiDbFault => ({
  kind: "status",
  status,
  code,
  msg,
  retryAfter,
});

const GEMINI_ROWS: GeminiRow[] = [
  {
    fault: "connection refused",
    arrange: async (e) => (await e.refuseConnections(), () => e.acceptConnections()),
    expect: { error: "GeminiDbError", code: "ECONNREFUSED", calls: 0, maxMs: 10000 },
  },
  {
    fault: "timeout before the server acts",
    faults: [{ kind: "delay", ms: 2500 }],
    expect: { calls: 2, maxMs: 10000, minMs: 1000 },
  },
  {
    fault: "timeout after the server acted",
    faults: [{ kind: "applyThenDelay", ms: 2500 }],
    expect: { calls: 2, maxMs: 10000, minMs: 1000 },
  },
  { fault: "reset before the server acts", faults: [{ kind: "drop" }], expect: { calls: 2, maxMs: 8000 } },
  { fault: "reset after the server acted", faults: [{ kind: "applyThenDrop" }], expect: { calls: 2, maxMs: 8000 } },
  {
    fault: "429 with Retry-After: 1",
    faults: [apiError(429, "APIG.0308", "The request is throttled.", "1")],
    expect: { calls: 2, maxMs: 8000, minMs: 1000 },
  },
  { fault: "500", faults: [apiError(500, "DBS.200000", "Internal server error")], expect: { calls: 2, maxMs: 8000 } },
  { fault: "502", faults: [apiError(502, "APIG.0202", "Bad gateway")], expect: { calls: 2, maxMs: 8000 } },
  { fault: "503", faults: [apiError(503, "APIG.0203", "Service unavailable")], expect: { calls: 2, maxMs: 8000 } },
  {
    fault: "503, lasting",
    faults: Array(8).fill(apiError(503, "APIG.0203", "Service unavailable")),
    expect: { error: "GeminiDbError", code: "APIG.0203", calls: 5, maxMs: 20000 },
  },
  {
    fault: "DBS.200019 (busy) once",
    faults: [apiError(403, "DBS.200019", "Another operation is being performed on the instance.")],
    expect: { calls: 2, maxMs: 8000 },
  },
  {
    fault: "DBS.201015 once",
    faults: [apiError(403, "DBS.201015", "The system is busy. Try again later.")],
    expect: { calls: 2, maxMs: 8000 },
  },
  {
    fault: "DBS.280005 once",
    faults: [apiError(500, "DBS.280005", "Server error. Try again later.")],
    expect: { calls: 2, maxMs: 8000 },
  },
  {
    fault: "APIG.0308 (throttled) once",
    faults: [apiError(429, "APIG.0308", "The request is throttled.")],
    expect: { calls: 2, maxMs: 8000 },
  },
  {
    fault: "DBS.200001 bad parameter",
    faults: [apiError(400, "DBS.200001", "Parameter error")],
    expect: { error: "GeminiDbError", code: "DBS.200001", calls: 1, maxMs: 8000 },
  },
  {
    fault: "DBS.200002 not found",
    faults: [apiError(404, "DBS.200002", "The instance does not exist")],
    expect: { error: "GeminiDbError", code: "DBS.200002", calls: 1, maxMs: 8000 },
  },
  {
    fault: "DBS.200010 auth mismatch",
    faults: [apiError(403, "DBS.200010", "The project id does not match")],
    expect: { error: "GeminiDbError", code: "DBS.200010", calls: 1, maxMs: 8000 },
  },
  {
    fault: "DBS.200011 status forbids",
    faults: [apiError(403, "DBS.200011", "The instance status does not allow this operation")],
    expect: { error: "GeminiDbError", code: "DBS.200011", calls: 1, maxMs: 8000 },
  },
  {
    fault: "DBS.200018 type forbids",
    faults: [apiError(403, "DBS.200018", "The instance type does not support this operation")],
    expect: { error: "GeminiDbError", code: "DBS.200018", calls: 1, maxMs: 8000 },
  },
  {
    fault: "DBS.200029 invalid password",
    faults: [apiError(400, "DBS.200029", "Invalid password")],
    expect: { error: "GeminiDbError", code: "DBS.200029", calls: 1, maxMs: 8000 },
  },
  {
    fault: "APIG.0301 with a given token",
    auth: "token",
    faults: [apiError(401, "APIG.0301", "Incorrect IAM authentication information: decrypt token fail")],
    expect: { error: "GeminiDbError", code: "APIG.0301", calls: 1, maxMs: 8000 },
  },
  {
    fault: "token expiry mid-run",
    faults: [{ kind: "expireToken" }],
    expect: { calls: 2, maxMs: 8000 },
    also: (e) => assert.strictEqual(e.count("iam.tokens"), 1, "one new token after the 401"),
  },
  {
    fault: "empty {} reply to the instance query",
    route: "instances.get",
    faults: [{ kind: "body", status: 200, body: "{}" }],
    expect: { error: "GeminiDbError", code: "DBS.200002", message: /does not exist/, calls: 0, maxMs: 8000 },
  },
  {
    fault: "redirect to another host",
    faults: [{ kind: "redirect", location: "REDIRECT_TARGET" }],
    expect: { error: "GeminiDbError", message: /refused to follow a redirect/, calls: 1, maxMs: 8000 },
    also: (_e, ctx) => assert.strictEqual(ctx.redirectHits, 0, "nothing reached the redirect's target"),
  },
];

describe("fault matrix: GeminiDbAdminPassword on the IAM + GeminiDB emulator", function () {
  this.timeout(60000);
  const PROJECT = TEST_PROJECT;
  const INSTANCE = TEST_INSTANCE;
  const IAM_PW = "Matrix-iam-Pw1";
  const RW1 = "Rw-matrix~pw1";
  const RW2 = "Rw-matrix~pw2";
  let emu: GeminiDbEmulator;
  let other: http.Server;
  let redirectHits = 0;

  before(async () => {
    other = http.createServer((_req, res) => {
      redirectHits++;
      res.end("{}");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  });
  after(async () => {
    await new Promise<void>((r) => other.close(() => r()));
  });

  beforeEach(async () => {
    emu = await startEmulator((e) => e.users.set("deployer", { password: IAM_PW, domain: "acme" }));
    distAuth.clearTokenCache();
    redirectHits = 0;
  });
  afterEach(async () => emu.stop());

  const inputs = (password: string, auth: GeminiDbAdminPasswordInputs["auth"]): GeminiDbAdminPasswordInputs => ({
    region: "eu-west-101",
    projectId: PROJECT,
    instanceId: INSTANCE,
    endpoint: emu.url,
    iamEndpoint: emu.url,
    auth,
    password,
    timeoutMs: 1000,
  });

  for (const row of GEMINI_ROWS) {
    it(`${row.fault}: ${row.expect.error ? `fails with ${row.expect.error}` : "succeeds"} after ${row.expect.calls} PUT(s); state and server agree or the next run converges`, async () => {
      const auth =
        row.auth === "token"
          ? { token: emu.issueToken(PROJECT) }
          : { userName: "deployer", password: IAM_PW, domainName: "acme" };
      const created = await gemini.create(inputs(RW1, auth));
      const state1 = created.outs as GeminiDbAdminPasswordOutputs;
      emu.resetCounts();
      const route = row.route ?? "password.put";
      const port = (other.address() as net.AddressInfo).port;
      if (row.faults)
        emu.inject(
          route,
          ...row.faults.map((f) =>
            f.kind === "redirect" ? { ...f, location: `http://127.0.0.1:${port}/v3/steal` } : f,
          ),
        );
      const undo = row.arrange ? await row.arrange(emu) : async () => {};
      const r = await timed(() => gemini.update(created.id, state1, inputs(RW2, auth)));
      await undo();
      const calls = emu.count("password.put");
      const tokens = [...emu.tokens.keys()];
      const outcome = checkOutcome(row.fault, r, row.expect, calls, [IAM_PW, RW1, RW2, ...tokens]);
      row.also?.(emu, { redirectHits });
      // nothing the emulator received carried a secret anywhere but in the PUT body
      for (const got of emu.received)
        assertNoLeak([JSON.stringify(got.headers)], [IAM_PW, RW1, RW2], "request headers");

      const state = (r.result?.outs ?? state1) as GeminiDbAdminPasswordOutputs;
      const afterFault = emu.instances.get(INSTANCE)!.password === state.password ? "agree" : "diverged";
      if (!row.expect.error)
        assert.strictEqual(afterFault, "agree", "a success must leave state and server in agreement");
      const fresh = row.auth === "token" ? { token: emu.issueToken(PROJECT) } : auth;
      const next = await gemini.update(created.id, state, inputs(RW2, fresh));
      assert.strictEqual(next.outs!.password, RW2);
      assert.strictEqual(emu.instances.get(INSTANCE)!.password, RW2);
      matrix.push({
        resource: "GeminiDB",
        fault: row.fault,
        outcome,
        calls,
        elapsedMs: r.elapsedMs,
        afterFault,
        converged: true,
      });
    });
  }
});

// ================================================================== GeminiDB with cql

interface CqlRow {
  fault: string;
  /** the `cql` input of the faulted update, from the two nodes */
  cql: (nodes: { plain: RealCassandra; tls: RealCassandra }) => GeminiDbAdminPasswordInputs["cql"];
  faults?: GeminiDbFault[];
  /** something to do between create and the faulted update (a restart) */
  between?: (nodes: { plain: RealCassandra; tls: RealCassandra }) => Promise<void>;
  expect: Expect & {
    /** what state holds after the update: the new password (proved, or recorded unverified) or the old one */
    state: "proved" | "unverified" | "unchanged";
  };
}

/** A CA certificate that signed nothing of these nodes. */
function otherCa(): string {
  return execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=other-ca", "-days", "1"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
}

const CQL_ROWS: CqlRow[] = [
  {
    fault: "cql: database unreachable after the 204",
    cql: () => ({ address: "127.0.0.1:9", timeoutMs: 1000 }),
    expect: {
      error: "CqlError",
      code: "ECONNREFUSED",
      message: /could not reach the database \(cql\)/,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    fault: "cql: TLS mismatch (plain client, TLS-only node)",
    cql: ({ tls }) => ({ address: tls.address, timeoutMs: 2000 }),
    expect: { error: "CqlError", message: /\(cql\).*check cql\.tls/s, calls: 1, maxMs: 15000, state: "unverified" },
  },
  {
    fault: "cql: TLS mismatch (TLS client, plain node)",
    cql: ({ plain }) => ({ address: plain.address, tls: true, timeoutMs: 2000 }),
    expect: {
      error: "CqlError",
      code: "TLS",
      message: /TLS handshake failed/,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    fault: "cql: wrong CA certificate",
    cql: ({ tls }) => ({ address: tls.address, tls: true, caCertificate: otherCa() }),
    expect: {
      error: "CqlError",
      code: "TLS",
      message: /TLS handshake failed \(check cql\.tls and cql\.caCertificate\)/,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    fault: "cql: auth-cache delay (the node takes the new password 1.5 s after the 204)",
    cql: ({ plain }) => ({ address: plain.address }),
    faults: [{ kind: "applyLater", ms: 1500 }],
    expect: { calls: 1, minMs: 1000, maxMs: 15000, state: "proved" },
  },
  {
    fault: "cql: login refused after a 204 (the API answered without acting)",
    cql: ({ plain }) => ({ address: plain.address }),
    faults: [{ kind: "fakeSuccess" }],
    expect: {
      error: "CqlError",
      message: /still logging in with the old password/,
      calls: 1,
      maxMs: 15000,
      state: "unchanged",
    },
  },
  {
    fault: "cql: database restarted between two resources",
    cql: ({ plain }) => ({ address: plain.address }),
    between: async ({ plain }) => {
      await plain.stop();
      await plain.restart();
    },
    expect: { calls: 1, maxMs: 15000, state: "proved" },
  },
];

describe("fault matrix: GeminiDbAdminPassword with cql, on a real Cassandra", function () {
  this.timeout(180000);
  const RW1 = "Rw-cqlmx~Pw1";
  const RW2 = "Rw-cqlmx~Pw2";
  const cqlGemini = geminiOperations.withSettings({
    retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 500, maxElapsedMs: 5000 },
    proof: { boundMs: 4000, baseDelayMs: 200, maxDelayMs: 1000 },
  });
  let nodes: { plain: RealCassandra; tls: RealCassandra };
  let emu: GeminiDbEmulator;

  const endpointOf = (n: RealCassandra): CqlEndpoint => ({
    address: n.address,
    tls: !!n.caCertificate,
    caCertificate: n.caCertificate,
  });
  before(async () => {
    const [plain, tls] = await Promise.all([sharedCassandra(), sharedCassandra({ tls: true })]);
    nodes = { plain, tls };
    for (const n of [plain, tls]) {
      await cqlAs(endpointOf(n), n.superuser, [
        `CREATE ROLE IF NOT EXISTS rwuser WITH PASSWORD = ${cqlString("Rw-cqlmx~Pw0")} AND LOGIN = true`,
      ]);
    }
  });
  beforeEach(async () => {
    emu = await startEmulator();
    emu.useDatabase(endpointOf(nodes.plain), nodes.plain.superuser);
  });
  afterEach(async () => emu.stop());

  for (const row of CQL_ROWS) {
    it(`${row.fault}: ${row.expect.error ? `fails with ${row.expect.error}` : "succeeds"}; state ${row.expect.state}; the next run converges`, async () => {
      const token = emu.issueToken(TEST_PROJECT);
      const good = { address: nodes.plain.address };
      const inputs = (password: string, cql: GeminiDbAdminPasswordInputs["cql"]): GeminiDbAdminPasswordInputs =>
        emulatorInputs(emu, { auth: { token }, password, cql });
      const created = await cqlGemini.create(inputs(RW1, good));
      const state1 = created.outs as GeminiDbAdminPasswordOutputs;
      await row.between?.(nodes);
      emu.resetCounts();
      if (row.faults) emu.inject("password.put", ...row.faults);
      const r = await timed(() => cqlGemini.update(created.id, state1, inputs(RW2, row.cql(nodes))));
      const calls = emu.count("password.put");
      const outcome = checkOutcome(row.fault, r, row.expect, calls, [RW1, RW2, token]);
      const err = r.error as { properties?: GeminiDbAdminPasswordOutputs } | undefined;
      // what Pulumi keeps: the new outputs, the outputs the error carries, or the old ones
      const state = (r.result?.outs ?? err?.properties ?? state1) as GeminiDbAdminPasswordOutputs;
      const expected = { proved: RW2, unverified: RW2, unchanged: RW1 }[row.expect.state];
      assert.strictEqual(state.password, expected, `${row.fault}: the password state holds`);
      assert.strictEqual(state.passwordVerified, row.expect.state !== "unverified", `${row.fault}: passwordVerified`);
      // agree: the password state holds logs in, once the node's credentials cache (2 s) lets it
      const agrees = await cqlLogsInWithin(endpointOf(nodes.plain), "rwuser", state.password);
      const afterFault = agrees ? "agree" : "diverged";
      if (!row.expect.error) assert.strictEqual(afterFault, "agree");
      // the next run, with the database reachable as configured: proves (or repairs) and converges
      const next = await cqlGemini.update(created.id, state, inputs(RW2, good));
      assert.strictEqual(next.outs!.password, RW2);
      assert.strictEqual(next.outs!.passwordVerified, true);
      assert.strictEqual(await cqlCanLogin(endpointOf(nodes.plain), "rwuser", RW2), true);
      matrix.push({
        resource: "GeminiDB+cql",
        fault: row.fault,
        outcome,
        calls,
        elapsedMs: r.elapsedMs,
        afterFault,
        converged: true,
      });
    });
  }
});

// ================================================================== GeminiDB with redis / influx

interface EngineServers {
  /** Redis with TLS (as new GeminiDB Redis instances) backs the Redis instance; a plain one stands beside it */
  redisTls: RealRedis;
  redisPlain: RealRedis;
  /** a plain influxd (the instance default) backs the Influx instance; a TLS one stands beside it */
  influxPlain: RealInflux;
  influxTls: RealInflux;
}

interface EngineRow {
  engine: "redis" | "influx";
  fault: string;
  /** the proof block of the faulted update */
  block: (s: EngineServers) => Record<string, unknown>;
  faults?: GeminiDbFault[];
  /** something to do between create and the faulted update (a restart) */
  between?: (s: EngineServers) => Promise<void>;
  expect: Expect & { state: "proved" | "unverified" | "unchanged" };
}

const redisGood = (s: EngineServers) => ({ address: s.redisTls.address, caCertificate: s.redisTls.caCertificate });
const influxGood = (s: EngineServers) => ({ address: s.influxPlain.address });

const ENGINE_ROWS: EngineRow[] = [
  {
    engine: "redis",
    fault: "redis: server unreachable after the 204",
    block: () => ({ address: "127.0.0.1:9", tls: false, timeoutMs: 1000 }),
    expect: {
      error: "RedisError",
      code: "ECONNREFUSED",
      message: /could not reach the database \(redis\)/,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    engine: "redis",
    fault: "redis: TLS mismatch (TLS client, plain server)",
    block: (s) => ({ address: s.redisPlain.address, tls: true, timeoutMs: 2000 }),
    expect: {
      error: "RedisError",
      code: "TLS",
      message: /\(redis\).*redis\.tls/s,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    engine: "redis",
    fault: "redis: TLS mismatch (plain client, TLS-only server)",
    block: (s) => ({ address: s.redisTls.address, tls: false, timeoutMs: 2000 }),
    expect: {
      error: "RedisError",
      code: "CONNECTION_CLOSED",
      message: /\(redis\).*redis\.tls/s,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    engine: "redis",
    fault: "redis: a 204 that did nothing",
    block: redisGood,
    faults: [{ kind: "fakeSuccess" }],
    expect: { error: "RedisError", message: /\(redis\).*did not change/s, calls: 1, maxMs: 15000, state: "unchanged" },
  },
  {
    engine: "redis",
    fault: "redis: server restarted between two resources",
    block: redisGood,
    between: async (s) => {
      await s.redisTls.stop();
      await s.redisTls.restart();
    },
    expect: { calls: 1, maxMs: 15000, state: "proved" },
  },
  {
    engine: "influx",
    fault: "influx: server unreachable after the 204",
    block: () => ({ address: "127.0.0.1:9", timeoutMs: 1000 }),
    expect: {
      error: "InfluxError",
      code: "ECONNREFUSED",
      message: /could not reach the database \(influx\)/,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    engine: "influx",
    fault: "influx: TLS mismatch (TLS client, plain server)",
    block: (s) => ({ address: s.influxPlain.address, tls: true, timeoutMs: 2000 }),
    expect: {
      error: "InfluxError",
      code: "TLS",
      message: /\(influx\).*influx\.tls/s,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    engine: "influx",
    fault: "influx: TLS mismatch (plain client, TLS-only server)",
    block: (s) => ({ address: s.influxTls.address, tls: false, timeoutMs: 2000 }),
    expect: {
      error: "InfluxError",
      code: "TLS",
      message: /\(influx\).*influx\.tls/s,
      calls: 1,
      maxMs: 15000,
      state: "unverified",
    },
  },
  {
    engine: "influx",
    fault: "influx: a 204 that did nothing",
    block: influxGood,
    faults: [{ kind: "fakeSuccess" }],
    expect: {
      error: "InfluxError",
      message: /\(influx\).*did not change/s,
      calls: 1,
      maxMs: 15000,
      state: "unchanged",
    },
  },
  {
    engine: "influx",
    fault: "influx: server restarted between two resources",
    block: influxGood,
    between: async (s) => {
      await s.influxPlain.stop();
      await s.influxPlain.restart();
    },
    expect: { calls: 1, maxMs: 15000, state: "proved" },
  },
];

describe("fault matrix: GeminiDbAdminPassword with redis and influx, on real servers", function () {
  this.timeout(120000);
  const RW0 = "Rw-engmx~Pw0";
  const RW1 = "Rw-engmx~Pw1";
  const RW2 = "Rw-engmx~Pw2";
  const REDIS_ID = "a9b2c3d4e5f60718293a4b5c6d7e8f90in12";
  const INFLUX_ID = "b9b2c3d4e5f60718293a4b5c6d7e8f90in13";
  const engineGemini = geminiOperations.withSettings({
    retry: { ...GEMINIDB_RETRY, baseDelayMs: 50, maxDelayMs: 500, maxElapsedMs: 5000 },
    proof: { boundMs: 4000, baseDelayMs: 200, maxDelayMs: 1000 },
  });
  let s: EngineServers;
  let emu: GeminiDbEmulator;

  before(async () => {
    const [redisTls, redisPlain, influxPlain, influxTls] = await Promise.all([
      startRealRedis({ password: RW0, tls: true }),
      startRealRedis({ password: RW0 }),
      startRealInflux({ adminPassword: RW0 }),
      startRealInflux({ adminPassword: RW0, tls: true }),
    ]);
    s = { redisTls, redisPlain, influxPlain, influxTls };
  });
  after(async () => {
    if (s) await Promise.all(Object.values(s).map((x: RealRedis | RealInflux) => x.destroy()));
  });
  beforeEach(async () => {
    emu = await startEmulator((e) => {
      const add = (id: string, datastore: string, password: string) =>
        e.instances.set(id, { id, projectId: TEST_PROJECT, status: "normal", datastore, actions: [], password });
      add(REDIS_ID, "redis", s.redisTls.password);
      add(INFLUX_ID, "influxdb", s.influxPlain.admin.password);
      e.backWith(REDIS_ID, { kind: "redis", server: s.redisTls });
      e.backWith(INFLUX_ID, { kind: "influx", server: s.influxPlain });
    });
  });
  afterEach(async () => emu.stop());

  for (const row of ENGINE_ROWS) {
    it(`${row.fault}: ${row.expect.error ? `fails with ${row.expect.error}` : "succeeds"}; state ${row.expect.state}; the next run converges`, async () => {
      const token = emu.issueToken(TEST_PROJECT);
      const instanceId = row.engine === "redis" ? REDIS_ID : INFLUX_ID;
      const good = row.engine === "redis" ? redisGood(s) : influxGood(s);
      const inputs = (password: string, block: Record<string, unknown>) =>
        emulatorInputs(emu, { instanceId, auth: { token }, password, [row.engine]: block });
      const loginOnBacking = (pw: string) =>
        row.engine === "redis"
          ? redisLogin(s.redisTls.target(), pw)
          : influxLogin(s.influxPlain.target(), "rwuser", pw);
      const created = await engineGemini.create(inputs(RW1, good));
      const state1 = created.outs as GeminiDbAdminPasswordOutputs;
      await row.between?.(s);
      emu.resetCounts();
      if (row.faults) emu.inject("password.put", ...row.faults);
      const r = await timed(() => engineGemini.update(created.id, state1, inputs(RW2, row.block(s))));
      const calls = emu.count("password.put");
      const outcome = checkOutcome(row.fault, r, row.expect, calls, [RW0, RW1, RW2, token]);
      const err = r.error as { properties?: GeminiDbAdminPasswordOutputs } | undefined;
      // what Pulumi keeps: the new outputs, the outputs the error carries, or the old ones
      const state = (r.result?.outs ?? err?.properties ?? state1) as GeminiDbAdminPasswordOutputs;
      const expected = { proved: RW2, unverified: RW2, unchanged: RW1 }[row.expect.state];
      assert.strictEqual(state.password, expected, `${row.fault}: the password state holds`);
      assert.strictEqual(state.passwordVerified, row.expect.state !== "unverified", `${row.fault}: passwordVerified`);
      assert.strictEqual(state.engine, row.engine === "redis" ? "redis" : "influxdb");
      assertNoLeak([JSON.stringify({ ...state, password: undefined })], [RW0, RW1, RW2], "state besides password");
      const afterFault = (await loginOnBacking(state.password)) ? "agree" : "diverged";
      if (!row.expect.error) assert.strictEqual(afterFault, "agree");
      // the next run, with the database reachable as configured: proves (or repairs) and converges
      const next = await engineGemini.update(created.id, state, inputs(RW2, good));
      assert.strictEqual(next.outs!.password, RW2);
      assert.strictEqual(next.outs!.passwordVerified, true);
      assert.strictEqual(await loginOnBacking(RW2), true);
      assert.strictEqual(await loginOnBacking(RW1), false);
      matrix.push({
        resource: `GeminiDB+${row.engine}`,
        fault: row.fault,
        outcome,
        calls,
        elapsedMs: r.elapsedMs,
        afterFault,
        converged: true,
      });
    });
  }
});

// ================================================================== CassandraRolePassword

// the lifecycle as the provider host runs it, with a short wait for the credentials cache
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cassandraOperations: typeof import("../../provider/cassandra/operations") = require("pulumi-db-passwords/dist/cassandra/operations");
const cassandra = cassandraOperations.withSettings({ settle: { boundMs: 3000, baseDelayMs: 100, maxDelayMs: 500 } });

interface CassandraRow {
  fault: string;
  /** the connection of the faulted update: through the proxy, unless the row says otherwise */
  connection?: (c: {
    proxy: HoldProxy;
    node: RealCassandra;
    reader: string;
  }) => CassandraRolePasswordInputs["connection"];
  /** arranges the fault on the proxy (or the node) before the faulted update */
  arrange?: (c: { proxy: HoldProxy; node: RealCassandra; statement: Buffer }) => Promise<void> | void;
  expect: Expect;
}

const CASSANDRA_ROWS: CassandraRow[] = [
  {
    fault: "connection refused",
    connection: ({ node }) => ({ address: "127.0.0.1:9", ...node.superuser, timeoutMs: 1000 }),
    expect: { error: "CqlError", code: "ECONNREFUSED", calls: 0, maxMs: 20000 },
  },
  {
    fault: "timeout before the server acts (the ALTER ROLE never arrives)",
    arrange: ({ proxy, statement }) => proxy.faultOnce(statement, { kind: "hang" }),
    expect: { calls: 2, maxMs: 15000, minMs: 1500 },
  },
  {
    fault: "timeout after the server acted (its answer never comes back)",
    arrange: ({ proxy, statement }) => proxy.faultOnce(statement, { kind: "applyThenHang" }),
    expect: { calls: 1, maxMs: 10000, minMs: 1500 },
  },
  {
    fault: "auth refused (wrong connection password)",
    connection: ({ proxy, node }) => ({
      address: proxy.address,
      username: node.superuser.username,
      password: "Not-The-Pw-1",
      timeoutMs: 1500,
    }),
    expect: {
      error: "CqlError",
      code: "UNAUTHENTICATED",
      message: /authentication failed as cassandra/,
      calls: 0,
      maxMs: 5000,
    },
  },
  {
    fault: "permission denied (a connection role without ALTER on the role)",
    connection: ({ proxy, reader }) => ({
      address: proxy.address,
      username: reader,
      password: "Reader-Pw-1",
      timeoutMs: 1500,
    }),
    expect: { error: "CqlError", code: "8448", calls: 1, maxMs: 5000 },
  },
  {
    fault: "node restarted between two resources",
    arrange: async ({ node }) => {
      await node.stop();
      await node.restart();
    },
    expect: { calls: 1, maxMs: 8000 },
  },
];

describe("fault matrix: CassandraRolePassword on a real Cassandra", function () {
  this.timeout(180000);
  const R1 = "Role-mx~Pw1";
  const R2 = "Role-mx'Pw2"; // a quote: the literal travels escaped, and the proxy matches it so
  const READER = "mx_reader";
  let node: RealCassandra;
  let proxy: HoldProxy;
  let n = 0;

  before(async () => {
    node = await sharedCassandra();
    await cqlAs({ address: node.address }, node.superuser, [
      `CREATE ROLE IF NOT EXISTS ${READER} WITH PASSWORD = ${cqlString("Reader-Pw-1")} AND LOGIN = true`,
    ]);
    const [host, port] = node.address.split(":");
    proxy = new HoldProxy(host, Number(port));
    await proxy.start();
  });
  after(async () => proxy?.stop());

  for (const row of CASSANDRA_ROWS) {
    it(`${row.fault}: ${row.expect.error ? `fails with ${row.expect.error}` : "succeeds"}; state and database agree; the next run converges`, async () => {
      const role = `mx_role_${++n}`;
      const good = () => ({ address: proxy.address, ...node.superuser, timeoutMs: 1500 });
      const inputs = (password: string, connection: CassandraRolePasswordInputs["connection"]) => ({
        connection,
        role,
        password,
        createIfMissing: true,
      });
      const created = await cassandra.create(inputs(R1, good()));
      const state1 = created.outs as CassandraRolePasswordOutputs;
      const statement = Buffer.from(cqlString(R2));
      await row.arrange?.({ proxy, node, statement });
      proxy.count(statement);
      const connection = row.connection?.({ proxy, node, reader: READER }) ?? good();
      const r = await timed(() => cassandra.update(created.id, state1, inputs(R2, connection)));
      const calls = proxy.counted;
      const outcome = checkOutcome(row.fault, r, row.expect, calls, [R1, R2, node.superuser.password, "Reader-Pw-1"]);
      // what Pulumi keeps: the new outputs on success, the old ones on failure
      const state = (r.result?.outs ?? state1) as CassandraRolePasswordOutputs;
      assert.strictEqual(state.password, row.expect.error ? R1 : R2);
      const endpoint = { address: node.address };
      const agrees = await cqlLogsInWithin(endpoint, role, state.password);
      const afterFault = agrees ? "agree" : "diverged";
      assert.strictEqual(afterFault, "agree", "state and database agree after the fault");
      const next = await cassandra.update(created.id, state, inputs(R2, good()));
      assert.strictEqual(next.outs!.password, R2);
      assert.strictEqual(next.outs!.passwordVerified, true);
      assert.strictEqual(await cqlCanLogin(endpoint, role, R2), true);
      assert.strictEqual(await cqlCanLogin(endpoint, role, R1), false);
      await cassandra.remove(created.id, { ...next.outs!, deleteRoleOnDestroy: true } as CassandraRolePasswordOutputs);
      matrix.push({
        resource: "Cassandra",
        fault: row.fault,
        outcome,
        calls,
        elapsedMs: r.elapsedMs,
        afterFault,
        converged: true,
      });
    });
  }
});
