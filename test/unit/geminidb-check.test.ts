import * as assert from "assert";
import * as ops from "../../provider/geminidb/operations";
import { CheckCase, checkTable } from "../helpers/check-table";

const good = {
  region: "eu-west-101",
  projectId: "0123456789abcdef0123456789abcdef",
  instanceId: "9136fd2a9fcd405ea4674276ce36dae8in06",
  password: "Good-pass~1",
  auth: { token: "tok-value-123" },
};

describe("GeminiDbAdminPassword check", () => {
  const cases: CheckCase[] = [
    ["a missing instanceId", { ...good, instanceId: undefined }, "instanceId", /required/],
    ["a malformed instanceId", { ...good, instanceId: "not-an-id" }, "instanceId", /32 hex characters followed by in/],
    ["a malformed projectId", { ...good, projectId: "ABC" }, "projectId", /32 lowercase hex/],
    ["a malformed region", { ...good, region: "Europe West" }, "region", /region name/],
    [
      "an unknown region without endpoint",
      { ...good, region: "xx-nowhere-9" },
      "region",
      /not a known Huawei Cloud region/,
    ],
    ["a password with a forbidden special", { ...good, password: "Good-pass[1" }, "password", /only letters, digits/],
    ["a password of one kind", { ...good, password: "goodpassword" }, "password", /at least 2 of/],
    ["an unknown engine", { ...good, engine: "hbase" }, "engine", /one of cassandra, mongodb, influxdb, redis/],
    [
      "a redis proof on an instance the program says is Cassandra",
      { ...good, engine: "cassandra", redis: { address: "10.0.0.5" } },
      "redis",
      /proves a reset on redis instances, and engine names another engine/,
    ],
    [
      "two proof blocks",
      { ...good, cql: { address: "10.0.0.5" }, influx: { address: "10.0.0.6" } },
      "influx",
      /give one proof block/,
    ],
    [
      "a CA certificate for influx without tls",
      {
        ...good,
        influx: { address: "10.0.0.6", caCertificate: "-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----" },
      },
      "influx.caCertificate",
      /only with tls: true/,
    ],
    [
      "a cql node with a port beyond 65535",
      { ...good, cql: { address: "10.0.0.5", nodes: ["10.0.0.6", "10.0.0.7:70000"] } },
      "cql.nodes.1",
      /65535/,
    ],
    [
      "a negative credentials cache",
      { ...good, cql: { address: "10.0.0.5", credentialsCacheMs: -1 } },
      "cql.credentialsCacheMs",
      /at least 0/,
    ],
    ["a password of 33 characters", { ...good, password: "Aa1~" + "b".repeat(29) }, "password", /8 to 32/],
    ["a non-ASCII password", { ...good, password: "Gööd-pass~1" }, "password", /only letters/],
    [
      "an http endpoint to a remote host",
      { ...good, endpoint: "http://gaussdb-nosql.eu-west-101.myhuaweicloud.eu" },
      "endpoint",
      /must use https/,
    ],
    ["an endpoint with a path", { ...good, endpoint: "https://example.com/v3" }, "endpoint", /without path/],
    ["an endpoint that is no URL", { ...good, endpoint: "gaussdb" }, "endpoint", /absolute URL/],
    [
      "an iamEndpoint with user info",
      { ...good, iamEndpoint: "https://u:p@iam.example.com" },
      "iamEndpoint",
      /user information/,
    ],
    [
      "token and AK/SK together",
      { ...good, auth: { token: "tok-value-123", accessKey: "AK", secretKey: "SK-secret-1" } },
      "auth",
      /exactly one of/,
    ],
    ["an access key without secret key", { ...good, auth: { accessKey: "AK" } }, "auth.secretKey", /go together/],
    [
      "IAM password without domain",
      { ...good, auth: { userName: "u", password: "Iam-secret-1" } },
      "auth.domainName",
      /required for IAM password/,
    ],
    ["an empty token", { ...good, auth: { token: "  " } }, "auth.token", /must not be empty/],
    ["a timeout that is not a number", { ...good, timeoutMs: "10s" }, "timeoutMs", /number/],
    [
      "no credentials in the inputs nor in HW_* variables",
      { ...good, auth: undefined },
      "auth",
      /is required: set auth, or HW_AUTH_TOKEN/,
    ],
    ["rotateAfterDays of 0", { ...good, rotateAfterDays: 0 }, "rotateAfterDays", /at least 1/],
    ["rotateAfterDays over ten years", { ...good, rotateAfterDays: 3651 }, "rotateAfterDays", /at most 3650/],
    ["rotateAfterDays not whole", { ...good, rotateAfterDays: 1.5 }, "rotateAfterDays", /whole number of days/],
    ["rotateAfterDays as a string", { ...good, rotateAfterDays: "90" }, "rotateAfterDays", /number of days/],
  ];
  checkTable(ops.check, cases, [
    "Good-pass$1",
    "Goodpass12",
    "Gööd-pass~1",
    "tok-value-123",
    "SK-secret-1",
    "Iam-secret-1",
    "u:p",
  ]);

  it("accepts http to a loopback host (local emulators)", async () => {
    const r = await ops.check({}, { ...good, endpoint: "http://127.0.0.1:8080", iamEndpoint: "http://localhost:8081" });
    assert.strictEqual(r.failures, undefined);
  });

  it("fills region and projectId from HW_REGION_NAME and HW_PROJECT_ID, never credentials", async () => {
    Object.assign(process.env, {
      HW_REGION_NAME: "cn-north-4",
      HW_PROJECT_ID: "ffffffffffffffffffffffffffffffff",
      HW_SECRET_KEY: "env-sk-secret",
      HW_ACCESS_KEY: "env-ak",
    });
    try {
      const r = await ops.check({}, { instanceId: good.instanceId });
      assert.strictEqual(r.failures, undefined);
      const { rotatedAt, ...rest } = r.inputs as Record<string, unknown>;
      assert.deepStrictEqual(rest, {
        instanceId: good.instanceId,
        region: "cn-north-4",
        projectId: "ffffffffffffffffffffffffffffffff",
      });
      assert.match(String(rotatedAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "check stamps rotatedAt on create");
    } finally {
      for (const k of ["HW_REGION_NAME", "HW_PROJECT_ID", "HW_SECRET_KEY", "HW_ACCESS_KEY"]) delete process.env[k];
    }
  });
});

describe("GeminiDbAdminPassword check with __provider", () => {
  it("validates the user's inputs and ignores __provider", async () => {
    const r = await ops.check({}, { ...good, __provider: "exports.handler = ..." });
    assert.strictEqual(r.failures, undefined);
  });
});
