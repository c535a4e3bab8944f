/**
 * Derived passwords (provider/shared/seed.ts): the same seed and label give the same password in
 * every process, a password the policy accepts; any other seed or label gives another one; and
 * an error of an operation is redacted of what it generated while keeping what it carries.
 */
import * as assert from "assert";
import {
  CASSANDRA_PASSWORD_POLICY,
  GEMINIDB_PASSWORD_POLICY,
  MILVUS_PASSWORD_POLICY,
  checkPassword,
} from "../../provider/shared/password";
import {
  derivePassword,
  freshSeed,
  passwordLabel,
  passwordSource,
  seedFromSecrets,
  seededRandom,
} from "../../provider/shared/seed";
import { guarded } from "../../provider/shared/guard";
import { GeminiDbError, MilvusError } from "../../provider/shared/errors";

const POLICIES = [MILVUS_PASSWORD_POLICY, GEMINIDB_PASSWORD_POLICY, CASSANDRA_PASSWORD_POLICY];

describe("derived passwords (seed.ts)", () => {
  it("a seed and a label give one password, the same in another process", async () => {
    const seed = freshSeed();
    const label = passwordLabel("MilvusUserPassword", "127.0.0.1:19530", "app");
    const here = derivePassword(MILVUS_PASSWORD_POLICY, seed, label);
    assert.strictEqual(derivePassword(MILVUS_PASSWORD_POLICY, seed, label), here);
    // a fresh Node process, as the run after a crash is
    const { execFileSync } = await import("child_process");
    const there = execFileSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-e",
        `const s=require("./provider/shared/seed");const p=require("./provider/shared/password");` +
          "const label=Buffer.from(process.argv[2],'base64').toString();" +
          `process.stdout.write(s.derivePassword(p.MILVUS_PASSWORD_POLICY, process.argv[1], label))`,
        seed,
        Buffer.from(label).toString("base64"),
      ],
      { encoding: "utf8", cwd: `${__dirname}/../..` },
    );
    assert.strictEqual(there, here);
  });

  it("another seed, another label or another identity gives another password", () => {
    const seed = freshSeed();
    const at = (name: string, where = "127.0.0.1:19530", type = "MilvusUserPassword") =>
      derivePassword(MILVUS_PASSWORD_POLICY, seed, passwordLabel(type, where, name));
    const all = [
      at("app"),
      at("app_green"),
      at("app", "127.0.0.1:19531"),
      at("app", "127.0.0.1:19530", "CassandraRolePassword"),
      derivePassword(
        MILVUS_PASSWORD_POLICY,
        freshSeed(),
        passwordLabel("MilvusUserPassword", "127.0.0.1:19530", "app"),
      ),
    ];
    assert.strictEqual(new Set(all).size, all.length);
  });

  for (const policy of POLICIES) {
    it(`every derived ${policy.name} password passes the policy, with the generated length and two specials`, () => {
      const seen = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const pw = derivePassword(policy, freshSeed(), `label-${i}`);
        assert.deepStrictEqual(checkPassword(pw, policy), [], pw.length.toString());
        assert.strictEqual([...pw].length, policy.generatedLength);
        assert.ok([...pw].filter((c) => policy.generatedSpecialSet.includes(c)).length >= 2);
        seen.add(pw);
      }
      assert.strictEqual(seen.size, 300);
    });
  }

  it("seeded integers are uniform: each of 62 values within 20% of its share over 62,000 draws", () => {
    const random = seededRandom(freshSeed(), "uniform");
    const counts = new Array(62).fill(0);
    for (let i = 0; i < 62000; i++) counts[random(62)]++;
    for (const c of counts) assert.ok(c > 800 && c < 1200, `count ${c}`);
    assert.throws(() => random(0), RangeError);
  });

  it("a seed from secrets depends on each value and its boundaries, and there is none without secrets", () => {
    assert.strictEqual(seedFromSecrets([]), undefined);
    assert.strictEqual(seedFromSecrets([undefined, ""]), undefined);
    const a = seedFromSecrets(["Root-Pw1", "Boot-Pw0"]);
    assert.strictEqual(seedFromSecrets(["Root-Pw1", undefined, "Boot-Pw0"]), a);
    assert.notStrictEqual(seedFromSecrets(["Root-Pw", "1Boot-Pw0"]), a);
    assert.notStrictEqual(seedFromSecrets(["Boot-Pw0", "Root-Pw1"]), a);
    assert.notStrictEqual(seedFromSecrets(["Root-Pw1"]), a);
    // the seed holds none of the secrets it comes from
    assert.ok(!a!.includes("Root-Pw1") && !Buffer.from(a!, "base64").toString("latin1").includes("Root-Pw1"));
  });

  it("a source derives one password per identity for the whole operation, and lists what it handed out", () => {
    const seed = freshSeed();
    const src = passwordSource(MILVUS_PASSWORD_POLICY, seed, (n) => `L/${n}`);
    const blue = src.forName("blue");
    assert.strictEqual(src.forName("blue"), blue);
    assert.deepStrictEqual(src.pending("blue"), [blue]);
    const green = src.forName("green");
    assert.deepStrictEqual(src.drawn.sort(), [blue, green].sort());
    assert.strictEqual(passwordSource(MILVUS_PASSWORD_POLICY, seed, (n) => `L/${n}`).forName("blue"), blue);
  });

  it("without a seed a source draws at random and offers no pending candidate", () => {
    const a = passwordSource(MILVUS_PASSWORD_POLICY, undefined, (n) => n);
    const b = passwordSource(MILVUS_PASSWORD_POLICY, undefined, (n) => n);
    assert.notStrictEqual(a.forName("x"), b.forName("x"));
    assert.strictEqual(a.forName("x"), a.forName("x"));
    assert.deepStrictEqual(a.pending("x"), []);
  });
});

describe("guarded operations: redaction keeps what an error carries", () => {
  it("an error whose message held a secret keeps its class, partial state, code, request id and retry data", async () => {
    const generated = "Gen-Pw-9xYz!#";
    const partial = { id: "p/i", properties: { password: generated, passwordVerified: false } };
    const err = new GeminiDbError(`the server echoed ${generated}`, {
      operation: "verify",
      target: "geminidb x",
      serverCode: "DBS.280005",
      requestId: "req-1",
      transient: true,
      ambiguous: true,
      retryAfterMs: 2000,
      partial,
    });
    const thrown = await guarded(
      "update",
      () => [generated],
      (m, op) => new MilvusError(m, { operation: op }),
      async () => {
        throw err;
      },
    ).then(
      () => assert.fail("must throw"),
      (e) => e,
    );
    assert.ok(thrown instanceof GeminiDbError, "the same class");
    assert.ok(!thrown.message.includes(generated) && !String(thrown.stack).includes(generated));
    assert.match(thrown.message, /\[redacted\]/);
    assert.strictEqual(thrown.serverCode, "DBS.280005");
    assert.strictEqual(thrown.requestId, "req-1");
    assert.strictEqual(thrown.transient, true);
    assert.strictEqual(thrown.ambiguous, true);
    assert.strictEqual(thrown.retryAfterMs, 2000);
    assert.strictEqual(thrown.id, "p/i");
    assert.deepStrictEqual(thrown.properties, partial.properties, "the partial state still reaches the engine");
    assert.ok(!thrown.reasons!.some((r: string) => r.includes(generated)));
    assert.ok(!JSON.stringify(thrown).includes(generated), "no enumerable field holds it");
  });
});
