/**
 * The shape of the Milvus wire, without timing: what one provider process opens and loads
 * for many resources. A child process stands in for the dynamic provider host (a fresh Node
 * with nothing loaded); it runs 20 creates (existence check, CreateCredential, login proof),
 * 20 rotations (UpdateCredential and two login proofs each) and 20 refreshes against the
 * gRPC test server, and reports what it loaded. The server counts the TCP connections.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import { MilvusTestServer, startMilvusTestServer } from "../../harness/milvus-grpc";
import { REPO_ROOT } from "../../harness/tools";

const COUNT = 20;
const ROOT_PW = "Wire-root-Pw1";

/** What the child reports. */
interface Report {
  channelsOpened: number;
  sdkClientLoaded: boolean;
  protoLoaderLoaded: boolean;
  passwords: Record<string, string>;
}

function runChild(address: string): Promise<Report> {
  const script = `
    const ops = require("pulumi-db-passwords/dist/milvus/operations");
    const { wireStats } = require("./dist/milvus/client");
    (async () => {
      const connection = { address: ${JSON.stringify(address)}, username: "root", password: ${JSON.stringify(ROOT_PW)}, timeoutMs: 5000 };
      const passwords = {};
      await Promise.all(Array.from({ length: ${COUNT} }, async (_, i) => {
        const user = "wire_" + i;
        const created = await ops.create({ connection, user, password: "Wire-" + i + "-one", createIfMissing: true });
        const rotated = await ops.update(created.id, created.outs, { connection, user, password: "Wire-" + i + "-two", createIfMissing: true });
        const read = await ops.read(created.id, rotated.outs);
        if (read.props.passwordVerified !== true) throw new Error("refresh did not verify " + user);
        passwords[user] = rotated.outs.password;
      }));
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        channelsOpened: wireStats.channelsOpened,
        sdkClientLoaded: loaded.some((f) => /milvus2-sdk-node[\\\\/]dist[\\\\/]milvus[\\\\/](MilvusClient|grpc[\\\\/])/.test(f)),
        protoLoaderLoaded: loaded.some((f) => /@grpc[\\\\/]proto-loader/.test(f)),
        passwords,
      }));
    })().catch((e) => { console.error(String(e)); process.exit(1); });`;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ["-e", script], { cwd: REPO_ROOT, timeout: 60000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split("\n").pop()!)),
    ),
  );
}

describe("the Milvus wire of one provider process", function () {
  this.timeout(120000);
  let server: MilvusTestServer;

  before(async () => {
    server = await startMilvusTestServer({ root: ROOT_PW });
  });
  after(async () => server.stop());

  it(`serves ${COUNT} resources (create, rotate, refresh) over one channel and one TCP connection, without the SDK's client`, async () => {
    const report = await runChild(server.address);
    for (let i = 0; i < COUNT; i++) {
      assert.strictEqual(server.users.get(`wire_${i}`), `Wire-${i}-two`, `user wire_${i} on the server`);
      assert.strictEqual(report.passwords[`wire_${i}`], `Wire-${i}-two`, `user wire_${i} in the outputs`);
    }
    assert.strictEqual(server.count("CreateCredential"), COUNT);
    assert.strictEqual(server.count("UpdateCredential"), COUNT);
    // existence checks on create only (a refresh whose login proof succeeds needs none); login
    // proofs (GetVersion as the user) on the same channel: one after creating, two after
    // rotating (new works, old fails), one on refresh
    assert.strictEqual(server.count("ListCredUsers"), COUNT);
    assert.strictEqual(server.count("GetVersion"), 4 * COUNT);
    assert.strictEqual(server.count("Connect"), 0, "no Connect handshake per identity");
    assert.strictEqual(report.channelsOpened, 1, "one channel for one address");
    assert.strictEqual(server.connections.accepted, 1, "one TCP connection");
    assert.strictEqual(
      report.sdkClientLoaded,
      false,
      "the SDK's client (and its per-construction proto load) is never loaded",
    );
    assert.strictEqual(report.protoLoaderLoaded, false, "the whole milvus.proto is never loaded through proto-loader");
  });
});
