/**
 * What GeminiDB's wire must get right beyond a single call, against the emulator: resources that
 * run side by side share one IAM token request; the password-free configuration is read to its
 * last page; a server's error text is redacted whole before it is cut; the password-free check
 * compares this machine's address whatever its family; the requests of a process share its
 * connections to an endpoint, and one the server has closed while idle costs no request.
 */
import * as assert from "assert";
import { geminiDbAdminPasswordProvider as provider } from "../../provider";
import type { GeminiDbAdminPasswordInputs } from "../../provider/geminidb/schema";
import { GeminiDbEmulator, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { GeminiDbClient } from "../../provider/geminidb/client";
import { makeAuthenticator } from "../../provider/geminidb/auth";
import { MAX_MESSAGE, errorFromResponse } from "../../provider/geminidb/http";
import { ipCovered } from "../../provider/geminidb/password-free";

describe("GeminiDB wire details against the emulator", function () {
  const USER = "pipeline";
  const USER_PW = "Iam-user-Pw1!";
  const DOMAIN = "acme";
  let emu: GeminiDbEmulator;
  beforeEach(async () => {
    emu = await startEmulator((e) => e.users.set(USER, { password: USER_PW, domain: DOMAIN }));
  });
  afterEach(() => emu.stop());

  /** Six Cassandra instances in the emulator, and a resource's inputs for each (an IAM password, `password`). */
  const sixInstances = (password: string) => {
    const ids = Array.from({ length: 6 }, (_, i) => `${TEST_INSTANCE.slice(0, -6)}${String(i).padStart(2, "0")}in06`);
    for (const id of ids) {
      const instance = { id, projectId: TEST_PROJECT, status: "normal", datastore: "Cassandra", actions: [] };
      emu.instances.set(id, { ...instance, password: "Initial-Pw-0" });
    }
    const inputs = (instanceId: string): GeminiDbAdminPasswordInputs => ({
      region: "eu-west-101",
      projectId: TEST_PROJECT,
      instanceId,
      endpoint: emu.url,
      iamEndpoint: emu.url,
      auth: { userName: USER, password: USER_PW, domainName: `${DOMAIN}` },
      password,
    });
    return { ids, inputs };
  };

  it("six resources created side by side with an IAM password ask IAM for one token, not six", async () => {
    const { ids, inputs } = sixInstances("Side-by-side-Pw1");
    // the token cache is per process and keyed by the IAM endpoint: this emulator's port is new, the cache empty
    const results = await Promise.all(ids.map((id) => provider.create(inputs(id))));
    assert.strictEqual(results.length, 6);
    assert.strictEqual(emu.count("iam.tokens"), 1, "one token request, shared");
    assert.strictEqual(emu.count("password.put"), 6);
  });

  it("the requests of six resources made one after another share the process's connection to the endpoint", async () => {
    const { ids, inputs } = sixInstances("One-after-other-Pw1");
    for (const id of ids) await provider.create(inputs(id));
    for (const id of ids) await provider.read(id, (await provider.create(inputs(id))).outs!);
    // a token, and per create an instance query and a reset, and per read an instance query
    const requests = emu.count("iam.tokens") + emu.count("password.put") + emu.count("instances.get");
    assert.ok(requests >= 1 + 12 * 2 + 6, `${requests} requests`);
    assert.strictEqual(emu.count("password.put"), 12);
    assert.strictEqual(emu.connectionsAccepted, 1, `${emu.connectionsAccepted} connections for ${requests} requests`);
  });

  it("a connection the server closed while it was idle is replaced, and the request on it succeeds", async () => {
    const { ids, inputs: inputsOf } = sixInstances("Idle-closed-Pw1");
    const [id, inputs] = [ids[0], inputsOf(ids[0])];
    const { outs } = await provider.create(inputs);
    assert.strictEqual(emu.connectionsAccepted, 1);
    emu.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 50));
    const puts = emu.count("password.put");
    await provider.update(id, outs!, { ...inputs, password: "Idle-closed-Pw2" });
    assert.strictEqual(emu.count("password.put"), puts + 1, "one reset, on a new connection");
    assert.strictEqual(emu.connectionsAccepted, 2);
    assert.strictEqual(emu.instances.get(id)!.password, "Idle-closed-Pw2");
  });

  it("reads the password-free configuration to its last page (150 entries, this address on the second page)", async () => {
    const id = TEST_INSTANCE;
    const entries = Array.from({ length: 150 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.7`);
    entries[120] = "127.0.0.0/8";
    emu.instances.set(id, {
      id,
      projectId: TEST_PROJECT,
      status: "normal",
      datastore: "redis",
      actions: [],
      password: "Initial-Pw-0",
      configIps: entries,
    });
    const auth = makeAuthenticator({ token: emu.issueToken(TEST_PROJECT) }, "eu-west-101", {
      iamEndpoint: emu.url,
      timeoutMs: 5000,
    });
    const client = new GeminiDbClient({ endpoint: emu.url, auth, timeoutMs: 5000 });
    const ips = await client.getPasswordlessConfig(TEST_PROJECT, id);
    assert.deepStrictEqual(ips, entries);
    assert.strictEqual(emu.count("passwordless.get"), 2, "two pages of at most 100");
    assert.ok(ipCovered("127.0.0.1", ips));
  });
});

describe("GeminiDB wire details without a server", () => {
  it("redacts a server's error text whole before cutting it: a secret across the cut does not survive in part", () => {
    const secret = "Cut-across-Pw9~";
    const text = `${"x".repeat(MAX_MESSAGE - 5)}${secret} and more`;
    const res = { status: 400, headers: new Map() as never, text, json: undefined, requestId: "r1" };
    const err = errorFromResponse(res, "reset password", "geminidb x", [secret]);
    for (let n = 4; n <= secret.length; n++) {
      assert.ok(!err.message.includes(secret.slice(0, n)), `no ${n}-character head of the secret`);
    }
    assert.match(err.message, /\[red/);
    assert.ok(err.message.length <= MAX_MESSAGE + 80, `${err.message.length} characters`);
  });

  it("matches this machine's address in either family, IPv4 in IPv6's mapped form included", () => {
    const entries = ["10.23.26.0/24", "192.168.1.7"];
    assert.strictEqual(ipCovered("10.23.26.99", entries), true);
    assert.strictEqual(ipCovered("::ffff:10.23.26.99", entries), true, "a dual-stack socket's local address");
    assert.strictEqual(ipCovered("::ffff:192.168.1.7", entries), true);
    assert.strictEqual(ipCovered("10.23.27.1", entries), false);
    assert.strictEqual(ipCovered("fd00::1", entries), false);
    assert.strictEqual(ipCovered("fd00::1", ["fd00::/64"]), true);
    assert.strictEqual(ipCovered("not an address", entries), false);
    assert.strictEqual(ipCovered("10.0.0.1", ["10.0.0.0/33", "junk", "10.0.0.0/x"]), false);
    assert.strictEqual(ipCovered("10.0.0.1", ["0.0.0.0/0"]), true);
  });
});
