/**
 * The bad-input table, through the real CLI: each case is one `pulumi preview` of a program
 * declaring one resource with those inputs (passwords and credentials as Pulumi secrets, as
 * a program reading secret config passes them). Each must fail with an error that names the
 * field and the rule and never shows the value, and nothing may reach a server: the Milvus
 * test server, the GeminiDB emulator and the TCP listener the Cassandra cases point at must
 * see zero calls and zero connections.
 */
import * as assert from "assert";
import * as net from "net";
import * as path from "path";
import { MilvusTestServer } from "../../harness/milvus-grpc";
import { GeminiDbEmulator } from "../../harness/geminidb-emulator";
import { PulumiProject } from "../../harness/pulumi-cli";
import { leakForms } from "../helpers/leaks";
import { stringsIn } from "../../provider/shared/check";

const PROGRAM = path.join(__dirname, "bad-input-program");
const INSTANCE = "9136fd2a9fcd405ea4674276ce36dae8in06";
const PROJECT = "0123456789abcdef0123456789abcdef";

interface Case {
  name: string;
  kind: "milvus" | "geminidb" | "cassandra";
  /** the inputs, as a function of where the servers listen */
  inputs: (addr: Addr) => Record<string, unknown>;
  /** the field the error must name */
  field: string;
  /** the rule it must state */
  rule: RegExp;
  env?: Record<string, string>;
}

type Addr = { milvus: string; gemini: string; cassandra: string };

/** Cases of one resource: good inputs, changed by one bad edit. */
const casesOf =
  (kind: Case["kind"], good: (a: Addr) => Record<string, unknown>) =>
  (
    name: string,
    change: (i: any, a: Addr) => void,
    field: string,
    rule: RegExp,
    env?: Record<string, string>,
  ): Case => ({
    name,
    kind,
    inputs: (a) => {
      const i: any = JSON.parse(JSON.stringify(good(a)));
      change(i, a);
      return i;
    },
    field,
    rule,
    env,
  });

const m = casesOf("milvus", (a) => ({
  connection: { address: a.milvus, username: "root", password: "Bad-input-root-1" },
  user: "app",
  password: "Good-Milvus-pw1",
}));

const g = casesOf("geminidb", (a) => ({
  region: "eu-west-101",
  projectId: PROJECT,
  instanceId: INSTANCE,
  endpoint: a.gemini,
  iamEndpoint: a.gemini,
  auth: { accessKey: "BADINPUTAK000001", secretKey: "Bad-input-sk/001" },
  password: "Good~Gemini1",
}));

const c = casesOf("cassandra", (a) => ({
  connection: { address: a.cassandra, username: "deployer", password: "Bad-input-super-1" },
  role: "orders_app",
  password: "Good-Cassandra-pw1",
}));

const CASES: Case[] = [
  // ---- MilvusUserPassword
  m("user of the wrong type", (i) => (i.user = 42), "user", /must be a string/),
  m("empty user", (i) => (i.user = ""), "user", /must start with a letter/),
  m("whitespace user", (i) => (i.user = "   "), "user", /must start with a letter/),
  m("non-ASCII user", (i) => (i.user = "bénédicte"), "user", /only letters, digits and underscores/),
  m("over-long user", (i) => (i.user = "u".repeat(40)), "user", /at most 32/),
  m("missing user", (i) => delete i.user, "user", /is required/),
  m("password too short", (i) => (i.password = "Ab1-xyz"), "password", /must be 8 to 64 characters long/),
  m("password too long", (i) => (i.password = "Aa1-" + "x".repeat(70)), "password", /must be 8 to 64 characters long/),
  m("password of too few character classes", (i) => (i.password = "onlylowercaseletters"), "password", /at least 3 of/),
  m(
    "password with non-ASCII characters",
    (i) => (i.password = "Pässwört-123"),
    "password",
    /may contain only letters, digits and the special characters/,
  ),
  m("whitespace password", (i) => (i.password = "          "), "password", /may contain only|at least 3 of/),
  m("password of the wrong type", (i) => (i.password = 12345678), "password", /must be a string/),
  m("empty currentPassword", (i) => (i.currentPassword = ""), "currentPassword", /must not be empty/),
  m("over-long currentPassword", (i) => (i.currentPassword = "C".repeat(300)), "currentPassword", /at most 256/),
  m("malformed address", (i) => (i.connection.address = "not an address!"), "connection.address", /must be host:port/),
  m(
    "address with a port out of range",
    (i) => (i.connection.address = "127.0.0.1:99999"),
    "connection.address",
    /between 1 and 65535/,
  ),
  m(
    "address with an unknown scheme",
    (i) => (i.connection.address = "grpc://127.0.0.1:19530"),
    "connection.address",
    /must be host:port/,
  ),
  m(
    "no address and no MILVUS_URI",
    (i) => delete i.connection.address,
    "connection.address",
    /is required: set it or the MILVUS_URI/,
  ),
  m("malformed MILVUS_URI", (i) => delete i.connection.address, "connection.address", /MILVUS_URI must be host:port/, {
    MILVUS_URI: "tcp:/nowhere here",
  }),
  m(
    "token and username together",
    (i) => (i.connection.token = "root:Bad-input-root-1"),
    "connection.token",
    /either token or username\/password/,
  ),
  m(
    "connection password without username",
    (i) => delete i.connection.username,
    "connection.username",
    /a password needs a username/,
  ),
  m("empty connection password", (i) => (i.connection.password = ""), "connection.password", /must not be empty/),
  m("timeout below the minimum", (i) => (i.connection.timeoutMs = 5), "connection.timeoutMs", /at least 1000/),
  m("createIfMissing not a boolean", (i) => (i.createIfMissing = "yes"), "createIfMissing", /must be true or false/),
  m("misspelt property", (i) => (i.pasword = i.password), "(inputs)", /pasword/),
  // ---- GeminiDbAdminPassword
  g("missing instanceId", (i) => delete i.instanceId, "instanceId", /is required/),
  g(
    "malformed instanceId",
    (i) => (i.instanceId = "instance-1"),
    "instanceId",
    /32 hex characters followed by in and two digits/,
  ),
  g("instanceId of the wrong type", (i) => (i.instanceId = 7), "instanceId", /must be a string/),
  g("malformed projectId", (i) => (i.projectId = "PROJECT"), "projectId", /32 lowercase hex characters/),
  g("malformed HW_PROJECT_ID", (i) => delete i.projectId, "projectId", /HW_PROJECT_ID must be 32 lowercase hex/, {
    HW_PROJECT_ID: "not-a-project",
  }),
  g("malformed region", (i) => (i.region = "Europe West"), "region", /must be a region name/),
  g(
    "unknown region without an endpoint",
    (i) => ((i.region = "xx-nowhere-9"), delete i.endpoint),
    "region",
    /not a known Huawei Cloud region/,
  ),
  g("password too short", (i) => (i.password = "Aa1~x"), "password", /must be 8 to 32 characters long/),
  g("password too long", (i) => (i.password = "Aa1~" + "b".repeat(30)), "password", /must be 8 to 32 characters long/),
  // Huawei's rule today, on every engine: two kinds of characters, specials ~!@#$%^&*()-_=+?
  g("password of one kind of character", (i) => (i.password = "goodpassword"), "password", /at least 2 of/),
  g(
    "password with a forbidden character ([) on a Redis instance",
    (i) => ((i.engine = "redis"), (i.password = "Good-pass[1")),
    "password",
    /may contain only letters, digits and the special characters ~!@#\$%\^&\*\(\)-_=\+\?/,
  ),
  g(
    "password of digits only on an Influx instance",
    (i) => ((i.engine = "influxdb"), (i.password = "20261203")),
    "password",
    /at least 2 of/,
  ),
  // a proof block on the wrong engine (the block points at the listener that counts connections)
  g(
    "redis proof block on a Cassandra instance",
    (i, a: Addr) => ((i.engine = "cassandra"), (i.redis = { address: a.cassandra, tls: false })),
    "redis",
    /proves a reset on redis instances, and engine names another engine/,
  ),
  g(
    "influx proof block on a Redis instance",
    (i, a: Addr) => ((i.engine = "redis"), (i.influx = { address: a.cassandra })),
    "influx",
    /proves a reset on influxdb instances, and engine names another engine/,
  ),
  g(
    "cql proof block on an Influx instance",
    (i, a: Addr) => ((i.engine = "influxdb"), (i.cql = { address: a.cassandra })),
    "cql",
    /proves a reset on cassandra instances, and engine names another engine/,
  ),
  g("password with non-ASCII characters", (i) => (i.password = "Gööd~pass12"), "password", /may contain only letters/),
  g(
    "plain http endpoint to a remote host",
    (i) => (i.endpoint = "http://gaussdb-nosql.eu-west-101.myhuaweicloud.eu"),
    "endpoint",
    /must use https \(plain http is allowed only to a loopback host\)/,
  ),
  g(
    "endpoint with a path",
    (i) => (i.endpoint = "https://gaussdb.example.com/v3/" + PROJECT),
    "endpoint",
    /without path or query/,
  ),
  g("endpoint that is not a URL", (i) => (i.endpoint = "gaussdb-nosql"), "endpoint", /must be an absolute URL/),
  g(
    "iamEndpoint with user information",
    (i) => (i.iamEndpoint = "https://deployer:Iam-pw-in-url1@iam.example.com"),
    "iamEndpoint",
    /must not hold user information/,
  ),
  g("token and AK/SK together", (i) => (i.auth.token = "MIIbadinputtoken"), "auth", /give exactly one of/),
  g(
    "access key without secret key",
    (i) => delete i.auth.secretKey,
    "auth.secretKey",
    /accessKey and secretKey go together/,
  ),
  g(
    "IAM password without domain",
    (i) => (i.auth = { userName: "deployer", password: "Iam-user-pw-1" }),
    "auth.domainName",
    /is required for IAM password authentication/,
  ),
  g("whitespace token", (i) => (i.auth = { token: "    " }), "auth.token", /token must not be empty/),
  g("no credentials anywhere", (i) => delete i.auth, "auth", /is required: set auth, or HW_AUTH_TOKEN/),
  g("timeout that is not a number", (i) => (i.timeoutMs = "30s"), "timeoutMs", /must be a number/),
  c("role with a quote and a statement", (i) => (i.role = 'app"; DROP ROLE x; --'), "role", /lowercase letters/),
  c("role of 65 characters", (i) => (i.role = "a".repeat(65)), "role", /at most 64/),
  c("standby equal to the role", (i) => (i.standbyRole = "orders_app"), "standbyRole", /must differ from role/),
  c("password of two classes", (i) => (i.password = "abcdefgh12"), "password", /at least 3/),
  c("address with a scheme", (i) => (i.connection.address = "tcp://db"), "connection.address", /host or host:port/),
  c("password without username", (i) => delete i.connection.username, "connection.username", /needs a username/),
  c("timeout too large", (i) => (i.connection.timeoutMs = 60001), "connection.timeoutMs", /at most 60000/),
  c("rotateAfterDays of zero", (i) => (i.rotateAfterDays = 0), "rotateAfterDays", /must be at least 1/),
];

/** Runs `fn` over `items`, at most `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

describe("bad inputs through pulumi preview: field and rule named, value never shown, nothing sent", function () {
  this.timeout(600000);
  let milvus: MilvusTestServer;
  let emu: GeminiDbEmulator;
  // stands where a Cassandra node would listen, and counts who connects
  const cql = { server: undefined as net.Server | undefined, accepted: 0 };
  const results = new Map<string, { code: number; all: string; secrets: string[] }>();

  before(async () => {
    milvus = new MilvusTestServer();
    await milvus.start();
    emu = new GeminiDbEmulator();
    emu.projects.set("eu-west-101", PROJECT);
    await emu.start();
    cql.server = net.createServer((s) => (cql.accepted++, s.destroy()));
    await new Promise<void>((r) => cql.server!.listen(0, "127.0.0.1", r));
    const addr = {
      milvus: milvus.address,
      gemini: emu.url,
      cassandra: `127.0.0.1:${(cql.server.address() as net.AddressInfo).port}`,
    };
    // One preview per case (the engine stops at the first failing check), a few at a time.
    const started = Date.now();
    await pool(CASES, 4, async (c, index) => {
      const inputs = c.inputs(addr);
      const project = new PulumiProject(PROGRAM, `case${index}`, {
        PDP_BAD_INPUT: JSON.stringify({ kind: c.kind, inputs }),
        ...c.env,
      });
      try {
        await project.ok(["stack", "init", `case${index}`]);
        const r = await project.run(["preview", "--non-interactive"]);
        // every string the case put in, and the case's environment, are values that must not show
        const values = [...stringsIn(inputs), ...Object.values(c.env ?? {})].filter(
          (s) => s.trim().length >= 4 && !Object.values(addr).includes(s),
        );
        results.set(`${c.kind}:${c.name}`, { code: r.code, all: r.all, secrets: values });
      } finally {
        await project.cleanup();
      }
    });
    console.log(`      ${CASES.length} previews in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  after(async () => {
    await milvus?.stop();
    await emu?.stop();
    await new Promise<void>((r) => (cql.server ? cql.server.close(() => r()) : r()));
  });

  it(`has at least 30 cases across the three resources (${CASES.length})`, () => {
    assert.ok(CASES.length >= 30);
    for (const kind of ["milvus", "geminidb", "cassandra"])
      assert.ok(
        CASES.some((c) => c.kind === kind),
        kind,
      );
  });

  for (const c of CASES) {
    it(`${c.kind}: ${c.name} → "${c.field}: ${c.rule.source}"`, () => {
      const r = results.get(`${c.kind}:${c.name}`);
      assert.ok(r, "the preview did not run");
      assert.notStrictEqual(r.code, 0, `preview passed:\n${r.all}`);
      const problems = r.all.split("\n").filter((l) => l.includes("has a problem:"));
      const named = problems.find((l) => l.includes(`has a problem: ${c.field}: `));
      assert.ok(named, `no error names ${c.field}:\n${problems.join("\n") || r.all}`);
      assert.match(named!, c.rule);
      // the engine's "property P value {V}" form never appears, and no value does in any form
      assert.doesNotMatch(r.all, /property \S+ value \{/);
      for (const v of r.secrets)
        for (const form of leakForms(v))
          assert.ok(!r.all.includes(form), `the value of a bad input shows in the output: ${named}`);
    });
  }

  it("sent nothing to any server: zero calls and zero connections", () => {
    assert.deepStrictEqual(milvus.calls, {});
    assert.strictEqual(milvus.connections.accepted, 0);
    assert.deepStrictEqual(emu.calls, {});
    assert.strictEqual(cql.accepted, 0);
  });
});
