import * as assert from "assert";
import * as ops from "../../provider/milvus/operations";
import * as core from "../../provider/milvus/adapter";
import type { MilvusUserPasswordOutputs } from "../../provider/milvus/schema";
import { CheckCase, checkTable } from "../helpers/check-table";

const conn = { address: "127.0.0.1:19530", username: "root", password: "Milvus" };
const good = { connection: conn, user: "app", password: "Abcdef12!x" };

describe("MilvusUserPassword check", () => {
  const cases: CheckCase[] = [
    ["a missing user", { ...good, user: undefined }, "user", /required/],
    ["a user that is a number", { ...good, user: 5 }, "user", /string/],
    ["an empty user", { ...good, user: "" }, "user", /start with a letter/],
    ["a user with spaces", { ...good, user: "my user" }, "user", /letters, digits and underscores/],
    ["a password too short", { ...good, password: "Ab1!xyz" }, "password", /8 to 64/],
    ["a password of two classes", { ...good, password: "abcdefgh12" }, "password", /at least 3/],
    ["a password that is not a string", { ...good, password: 12345678 }, "password", /string/],
    [
      "an address without host",
      { ...good, connection: { ...conn, address: ":19530" } },
      "connection.address",
      /host:port/,
    ],
    [
      "an address with a bad port",
      { ...good, connection: { ...conn, address: "db:99999" } },
      "connection.address",
      /65535/,
    ],
    [
      "token and username together",
      { ...good, connection: { address: "db:1", token: "t0ken-value", username: "root" } },
      "connection.token",
      /either token/,
    ],
    [
      "a password without username",
      { ...good, connection: { address: "db:1", password: "Milvus-pw" } },
      "connection.username",
      /needs a username/,
    ],
    [
      "a timeout too small",
      { ...good, connection: { ...conn, timeoutMs: 5 } },
      "connection.timeoutMs",
      /at least 1000/,
    ],
    ["an unknown property", { ...good, pasword: "Abcdef12!x" }, "(inputs)", /pasword|nrecognized/],
    ["createIfMissing not a boolean", { ...good, createIfMissing: "yes" }, "createIfMissing", /true or false/],
    ["rotateAfterDays of 0", { ...good, rotateAfterDays: 0 }, "rotateAfterDays", /at least 1/],
    ["rotateAfterDays over ten years", { ...good, rotateAfterDays: 3651 }, "rotateAfterDays", /at most 3650/],
    ["rotateAfterDays not whole", { ...good, rotateAfterDays: 1.5 }, "rotateAfterDays", /whole number of days/],
    ["rotateAfterDays as a string", { ...good, rotateAfterDays: "90" }, "rotateAfterDays", /number of days/],
    ["rotationTrigger an object", { ...good, rotationTrigger: { q: 1 } }, "rotationTrigger", /must be a string/],
  ];
  checkTable(ops.check, cases, ["Ab1!xyz", "abcdefgh12", "t0ken-value", "Milvus-pw", "Abcdef12!x"]);

  it("accepts good inputs and returns them without failures, stamped with rotatedAt", async () => {
    const r = await ops.check({}, good);
    assert.strictEqual(r.failures, undefined);
    const { rotatedAt, ...rest } = r.inputs as typeof good & { rotatedAt?: string };
    assert.deepStrictEqual(rest, good);
    assert.match(rotatedAt!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok(Math.abs(Date.parse(rotatedAt!) - Date.now()) < 5000);
  });

  it("takes a number as rotationTrigger as its text (YAML `rotationTrigger: 2027`)", async () => {
    const r = await ops.check({}, { ...good, rotationTrigger: 2027 });
    assert.strictEqual(r.failures, undefined);
    assert.strictEqual((r.inputs as { rotationTrigger?: string }).rotationTrigger, "2027");
  });

  it("requires an address when neither the input nor MILVUS_URI gives one", async () => {
    const saved = process.env.MILVUS_URI;
    delete process.env.MILVUS_URI;
    try {
      const r = await ops.check({}, { user: "app", password: "Abcdef12!x" });
      assert.match(r.failures?.[0].reason ?? "", /^connection.address: is required/);
    } finally {
      if (saved !== undefined) process.env.MILVUS_URI = saved;
    }
  });

  it("takes the address from MILVUS_URI and credentials from MILVUS_USER/MILVUS_PASSWORD at run time", () => {
    const ctx = core.resolveContext(
      { user: "app" },
      { MILVUS_URI: "https://m.example:443", MILVUS_USER: "root", MILVUS_PASSWORD: "pw-from-env" },
    );
    assert.strictEqual(ctx.address, "https://m.example:443");
    assert.strictEqual(ctx.target.tls, true);
    assert.deepStrictEqual(ctx.admin, { username: "root", password: "pw-from-env" });
  });

  it("prefers an explicit token over environment credentials", () => {
    const ctx = core.resolveContext(
      { user: "app", connection: { address: "m:1", token: "tok-123" } },
      { MILVUS_USER: "root", MILVUS_PASSWORD: "x" },
    );
    assert.deepStrictEqual(ctx.admin, { token: "tok-123" });
  });

  it("has no admin identity when nothing gives one (the user changes its own password)", () => {
    assert.strictEqual(core.resolveContext({ user: "app", connection: { address: "m:1" } }, {}).admin, undefined);
  });
});

describe("MilvusUserPassword diff", () => {
  const olds: MilvusUserPasswordOutputs = { ...good, address: "127.0.0.1:19530", passwordVerified: true };
  const table: Array<[string, Record<string, unknown>, { changes: boolean; replaces: string[] }]> = [
    ["no change", {}, { changes: false, replaces: [] }],
    ["a new password updates", { password: "Abcdef12!y" }, { changes: true, replaces: [] }],
    ["a new rotation trigger updates", { rotationTrigger: "2026-q4" }, { changes: true, replaces: [] }],
    ["a new user replaces", { user: "other" }, { changes: true, replaces: ["user"] }],
    [
      "a new address replaces",
      { connection: { ...conn, address: "10.0.0.1:19530" } },
      { changes: true, replaces: ["connection.address"] },
    ],
    ["omitting a given password keeps it", { password: undefined }, { changes: false, replaces: [] }],
    ["deleteUserOnDestroy is stored", { deleteUserOnDestroy: true }, { changes: true, replaces: [] }],
  ];
  for (const [name, change, expected] of table) {
    it(name, async () => {
      const d = await ops.diff("app@127.0.0.1:19530", olds, { ...good, ...change } as any);
      assert.strictEqual(d.changes, expected.changes);
      assert.deepStrictEqual(d.replaces, expected.replaces);
    });
  }
  it("updates when the last refresh found drift", async () => {
    const d = await ops.diff("id", { ...olds, passwordVerified: false }, good as any);
    assert.strictEqual(d.changes, true);
  });
});

describe("check with the serialized provider alongside the inputs", () => {
  it("validates the user's inputs and ignores __provider (the host adds it back)", async () => {
    const r = await ops.check({}, { ...good, __provider: "exports.handler = ..." });
    assert.strictEqual(r.failures, undefined);
    assert.ok(!("__provider" in (r.inputs as object)));
  });
});
