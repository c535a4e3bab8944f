/**
 * Concurrency through the real CLI: 50 MilvusUserPassword resources against one Milvus test
 * server with `pulumi up --parallel 16`, created and then all rotated at once. Every user
 * must end with its own password (on the server and in state: credentials travel per call,
 * so nothing of one resource's identity may leak into another's calls), every RPC of the run
 * must share the provider process's one TCP connection, that connection must be closed when
 * the CLI is done, and no provider process may outlive the CLI.
 */
import * as assert from "assert";
import * as path from "path";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { CliResult, PulumiProject, dynamicResources } from "../../harness/pulumi-cli";
import { assertNoLeak } from "../helpers/leaks";
import { dynamicProviderPids, waitFor } from "../../harness/support";

const COUNT = 50;
const ROOT_PW = "Many-root-Pw1";
const password = (i: number, round: number) => `Many-${i}-round-${round}`;

describe(`concurrency: ${COUNT} resources against one Milvus test server, pulumi up --parallel 16`, function () {
  this.timeout(600000);
  let server: MilvusTestServer;
  let project: PulumiProject;
  const outputs: CliResult[] = [];
  const preexisting = new Set<number>();

  const up = async (round: number) => {
    server.resetCounts();
    const acceptedBefore = server.connections.accepted;
    server.inflight.max = 0;
    const started = Date.now();
    const r = await project.run(["up", "--yes", "--parallel", "16"], { env: { PDP_MANY_ROUND: String(round) } });
    const seconds = (Date.now() - started) / 1000;
    outputs.push(r);
    assert.strictEqual(r.code, 0, r.all);
    // every connection the provider opened is closed once the CLI is done
    await waitFor(
      () => `the provider's connections to close (${server.connections.open} still open after the CLI exited)`,
      () => server.connections.open === 0,
      5000,
      50,
    );
    const stats = {
      connections: server.connections.accepted - acceptedBefore,
      rpcs: Object.values(server.calls).reduce((a, b) => a + b, 0),
      maxInflight: server.inflight.max,
    };
    console.log(
      `      round ${round}: ${seconds.toFixed(1)} s, ${stats.rpcs} RPCs over ${stats.connections} TCP connections ` +
        `up to ${stats.maxInflight} RPCs in flight at once`,
    );
    // one provider process, one channel: every RPC of every resource over one connection
    assert.strictEqual(stats.connections, 1, `${stats.rpcs} RPCs over ${stats.connections} TCP connections`);
    return { r, stats };
  };

  before(async () => {
    dynamicProviderPids().forEach((p) => preexisting.add(p));
    server = await startMilvusTestServer({ root: ROOT_PW });
    server.latencyMs = 20; // like a server across a network: concurrent calls overlap
    project = new PulumiProject(path.join(__dirname, "many-program"), "many", {
      PDP_MANY_ADDRESS: server.address,
      PDP_MANY_COUNT: String(COUNT),
    });
    await project.init({}, { rootPassword: ROOT_PW });
  });
  after(async () => {
    await project?.cleanup();
    await server?.stop();
  });

  it(`creates ${COUNT} users, each with its own password, in parallel`, async () => {
    const { r, stats } = await up(1);
    assert.match(r.stdout, new RegExp(`\\+ ${COUNT + 1} created`));
    for (let i = 0; i < COUNT; i++) assert.strictEqual(server.users.get(`many_${i}`), password(i, 1), `user many_${i}`);
    assert.strictEqual(server.count("CreateCredential"), COUNT, "one CreateCredential per user, none repeated");
    assert.ok(stats.maxInflight > 1, "the resources really ran concurrently");
  });

  it(`rotates all ${COUNT} at once, each from its own old password in state`, async () => {
    const { r } = await up(2);
    assert.match(r.stdout, new RegExp(`~ ${COUNT} updated`));
    for (let i = 0; i < COUNT; i++) assert.strictEqual(server.users.get(`many_${i}`), password(i, 2), `user many_${i}`);
    assert.strictEqual(
      server.count("UpdateCredential"),
      COUNT,
      "one UpdateCredential per user: no 1400 from a mixed-up old password",
    );
    const state = await project.exportState(true);
    const resources = dynamicResources(state.json);
    assert.strictEqual(resources.length, COUNT);
    for (const res of resources) {
      const i = Number(/many_(\d+)/.exec(res.outputs.user)![1]);
      assert.strictEqual(JSON.parse(res.outputs.password.plaintext), password(i, 2), `state of many_${i}`);
    }
    const all = Array.from({ length: COUNT }, (_, i) => [password(i, 1), password(i, 2)]).flat();
    assertNoLeak(
      [...outputs.map((o) => o.all), (await project.exportState(false)).text],
      [ROOT_PW, ...all],
      "CLI output or plain state",
    );
  });

  it("leaves no provider process behind once the CLI has exited", async () => {
    const left = () => dynamicProviderPids().filter((p) => !preexisting.has(p));
    await waitFor(
      () => `the provider processes to exit (still running: ${left().join(", ")})`,
      () => left().length === 0,
      5000,
      50,
    );
  });
});
