/**
 * The plugin's messages to the engine's Log service (provider/plugin/server.ts) have a
 * deadline: an engine that takes the call and never answers must not hold the operation that
 * logs (a diff's note, a create's warning). Against a real gRPC Engine service on loopback.
 */
import * as assert from "assert";
import * as grpc from "@grpc/grpc-js";
import { providerService } from "../../provider/plugin/server";
import { milvusSpec } from "../../provider/milvus/spec";
import type { ResourceEntry } from "../../provider/plugin/resources";

/* eslint-disable @typescript-eslint/no-require-imports */
const pb = require("@pulumi/pulumi/proto/provider_pb");
const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const structpb = require("google-protobuf/google/protobuf/struct_pb");
const emptypb = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const URN = "urn:pulumi:s::p::dbpasswords:index:MilvusUserPassword::r";

/** An Engine service whose Log takes every call and, unless `answer`, never answers it. */
async function engine(answer: boolean): Promise<{ address: string; logged: string[]; stop(): void }> {
  const server = new grpc.Server();
  const logged: string[] = [];
  server.addService(enginerpc.EngineService, {
    log: (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
      logged.push(call.request.getMessage());
      if (answer) callback(null, new emptypb.Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, logged, stop: () => server.forceShutdown() };
}

/** The plugin's Diff of one resource whose diff has a note for the user; resolves with the call's answer. */
function diffWithNote(pulumiAddress: string, logDeadlineMs?: number): Promise<{ err: unknown; res: any }> {
  const entry: ResourceEntry = {
    spec: milvusSpec,
    secretPaths: [],
    operations: () => ({ diff: async () => ({ changes: false, notes: ["rotation is due"] }) }) as any,
  };
  const service = providerService({
    version: "0.0.0",
    schema: () => "{}",
    resourceOf: () => entry,
    pulumiAddress,
    logDeadlineMs,
  });
  const req = new pb.DiffRequest()
    .setUrn(URN)
    .setId("r")
    .setOlds(structpb.Struct.fromJavaScript({}))
    .setNews(structpb.Struct.fromJavaScript({}));
  return new Promise((resolve) => service.diff({ request: req }, (err: unknown, res: any) => resolve({ err, res })));
}

describe("plugin: messages to the engine's Log service have a deadline", function () {
  this.timeout(20000);

  // Without the deadline this call never ends, and mocha's timeout fails the test.
  it("an engine that never answers a Log call does not hold the operation: it ends after the deadline", async () => {
    const e = await engine(false);
    try {
      const { err, res } = await diffWithNote(e.address, 300);
      assert.strictEqual(err, null);
      assert.strictEqual(res.getChanges(), pb.DiffResponse.DiffChanges.DIFF_NONE);
      assert.deepStrictEqual(e.logged, ["rotation is due"], "the message was sent");
    } finally {
      e.stop();
    }
  });

  it("an engine that answers gets the message and the operation goes on", async () => {
    const e = await engine(true);
    try {
      const { err } = await diffWithNote(e.address);
      assert.strictEqual(err, null);
      assert.deepStrictEqual(e.logged, ["rotation is due"]);
    } finally {
      e.stop();
    }
  });
});
