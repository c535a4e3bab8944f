import * as assert from "assert";
import {
  GEMINIDB_PASSWORD_POLICY,
  MILVUS_PASSWORD_POLICY,
  checkPassword,
  generatePassword,
} from "../../provider/shared/password";

describe("password policies", () => {
  const milvus: Array<[string, string, RegExp | null]> = [
    ["accepts three classes", "abcdefG1", null],
    ["accepts four classes", "Abc!efg1", null],
    ["accepts 64 characters", "Aa1" + "x".repeat(61), null],
    ["refuses 7 characters", "Abcde1!", /8 to 64 characters/],
    ["refuses 65 characters", "Aa1" + "x".repeat(62), /8 to 64 characters/],
    ["refuses two classes", "abcdefgh1", /at least 3 of/],
    ["refuses non-ASCII", "Abcdéfg1!", /only letters, digits/],
    ["refuses white space", "Abc defg1", /only letters, digits/],
  ];
  for (const [name, pw, broken] of milvus) {
    it(`Milvus ${name}`, () => {
      const rules = checkPassword(pw, MILVUS_PASSWORD_POLICY);
      if (broken === null) assert.deepStrictEqual(rules, []);
      else
        assert.ok(
          rules.some((r) => broken.test(r)),
          rules.join("; "),
        );
      for (const r of rules) assert.ok(!r.includes(pw), "a rule message echoed the password");
    });
  }

  // Huawei's rule today, for every engine: at least two kinds, specials from ~!@#$%^&*()-_=+?
  const gemini: Array<[string, string, RegExp | null]> = [
    ["accepts one special", "Abcdefg1~", null],
    ["accepts 32 characters", "Aa1~" + "b".repeat(28), null],
    ["refuses 33 characters", "Aa1~" + "b".repeat(29), /8 to 32/],
    ["accepts two kinds (lowercase and digits)", "abcdefg12", null],
    ["accepts the specials the newer text added", "Abc$&()12345", null],
    ["refuses one kind only", "abcdefghij", /at least 2 of/],
    ["refuses a special outside the list", "Abcdefg1[", /only letters, digits/],
    ["refuses a space", "Abcd efg1", /only letters, digits/],
  ];
  for (const [name, pw, broken] of gemini) {
    it(`GeminiDB ${name}`, () => {
      const rules = checkPassword(pw, GEMINIDB_PASSWORD_POLICY);
      if (broken === null) assert.deepStrictEqual(rules, []);
      else
        assert.ok(
          rules.some((r) => broken.test(r)),
          rules.join("; "),
        );
    });
  }

  it("a generated GeminiDB password satisfies the older, stricter rule too: every kind, specials ~!@#%^*-_=+?", () => {
    for (let i = 0; i < 200; i++) {
      const pw = generatePassword(GEMINIDB_PASSWORD_POLICY);
      assert.match(pw, /^[A-Za-z0-9~!@#%^*\-_=+?]{8,32}$/);
      for (const kind of [/[A-Z]/, /[a-z]/, /\d/, /[~!@#%^*\-_=+?]/]) assert.match(pw, kind);
    }
  });

  for (const policy of [MILVUS_PASSWORD_POLICY, GEMINIDB_PASSWORD_POLICY]) {
    it(`generates ${policy.name} passwords that pass the policy with two specials, all distinct`, () => {
      const seen = new Set<string>();
      for (let i = 0; i < 2000; i++) {
        const pw = generatePassword(policy);
        assert.deepStrictEqual(checkPassword(pw, policy), []);
        assert.strictEqual(pw.length, policy.generatedLength);
        assert.ok([...pw].filter((c) => policy.specials.includes(c)).length >= 2);
        assert.doesNotMatch(pw, /["'`\\$&]/, "no quoting-hostile characters");
        seen.add(pw);
      }
      assert.strictEqual(seen.size, 2000);
    });
  }

  it("puts the required characters at random places", () => {
    const firstIsUpper = Array.from({ length: 400 }, () =>
      /^[A-Z]/.test(generatePassword(MILVUS_PASSWORD_POLICY)),
    ).filter(Boolean).length;
    assert.ok(firstIsUpper > 10 && firstIsUpper < 200, `first character upper ${firstIsUpper}/400`);
  });

  it("refuses a generated length outside the policy", () => {
    assert.throws(() => generatePassword(GEMINIDB_PASSWORD_POLICY, 40), /8\.\.32/);
  });
});
