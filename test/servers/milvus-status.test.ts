/**
 * Where a Milvus reply carries its status: a bare common.Status (the credential and role
 * changes) or a `status` field (GetVersion, ListCredUsers, SelectUser), as milvus.proto
 * declares it. The test server shapes a scripted status from the proto (replyIsStatus); the
 * provider's session must read each method's refusal from the same place, or a refusal would
 * pass for a success.
 */
import * as assert from "assert";
import { MilvusTestServer, replyIsStatus } from "../../harness/milvus-grpc";
import { MILVUS_DEFAULT_ROOT } from "../../harness/fixtures";
import { MilvusSession } from "../../provider/milvus/client";
import { MilvusError } from "../../provider/shared/errors";

const ROWS: Array<{ method: string; bare: boolean; call: (s: MilvusSession) => Promise<unknown> }> = [
  { method: "GetVersion", bare: false, call: (s) => s.version() },
  { method: "ListCredUsers", bare: false, call: (s) => s.listUsers() },
  { method: "SelectUser", bare: false, call: (s) => s.userRoles("app") },
  { method: "CreateCredential", bare: true, call: (s) => s.createUser("app", "App-status-Pw1") },
  {
    method: "UpdateCredential",
    bare: true,
    call: (s) => s.updatePassword("app", "App-status-Pw1", "App-status-Pw2"),
  },
  { method: "DeleteCredential", bare: true, call: (s) => s.deleteUser("app") },
  { method: "OperateUserRole", bare: true, call: (s) => s.setUserRole("app", "admin", true) },
];

describe("Milvus replies: where the status is", () => {
  let server: MilvusTestServer;
  before(async () => {
    server = new MilvusTestServer();
    await server.start();
  });
  after(async () => server?.stop());

  for (const row of ROWS) {
    it(`${row.method}: ${row.bare ? "the reply is" : "the reply carries"} the status, and a refusal there fails the call once`, async () => {
      assert.strictEqual(replyIsStatus(row.method), row.bare, "milvus.proto's reply type");
      server.resetCounts();
      server.inject(row.method, { kind: "status", code: 1100, error_code: "IllegalArgument", reason: "refused here" });
      const session = new MilvusSession({ hostPort: server.address, tls: false, timeoutMs: 5000 }, MILVUS_DEFAULT_ROOT);
      await assert.rejects(row.call(session), (err: unknown) => {
        assert.ok(err instanceof MilvusError, String(err));
        assert.strictEqual(err.serverCode, "1100");
        assert.match(err.message, /refused here/);
        return true;
      });
      assert.strictEqual(server.count(row.method), 1);
    });
  }
});
