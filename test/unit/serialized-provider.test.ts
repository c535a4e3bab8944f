/**
 * What Pulumi stores as `__provider` for each resource. The package writes it itself
 * (provider/shared/dynamic.ts) instead of running Pulumi's closure serializer: it must be the
 * very text the serializer writes for the provider module installed under node_modules (so
 * stacks made by earlier versions see no change), resolve to the provider object in the host,
 * hold no secret, and constructing a resource must not load the serializer (whose
 * `computeBuiltInModules` loads `node:ffi` on Node 26 and prints an ExperimentalWarning).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installedProject } from "../../harness/installed";
import { programNodeBin } from "../../harness/tools";
import { dynamicShape, providerReference } from "../../provider/shared/dynamic";
import { milvusSpec } from "../../provider/milvus/spec";
import { geminiDbSpec } from "../../provider/geminidb/spec";
import { cassandraSpec } from "../../provider/cassandra/spec";
import { ResourceSpec, secretPaths } from "../../provider/shared/spec";

const CASES = [
  ["Milvus", "milvusUserPasswordProvider", "milvus", "MilvusUserPassword", "pulumi-nodejs:dynamic/milvus:UserPassword"],
  [
    "GeminiDB",
    "geminiDbAdminPasswordProvider",
    "geminidb",
    "GeminiDbAdminPassword",
    "pulumi-nodejs:dynamic/geminidb:AdminPassword",
  ],
  [
    "Cassandra",
    "cassandraRolePasswordProvider",
    "cassandra",
    "CassandraRolePassword",
    "pulumi-nodejs:dynamic/cassandra:RolePassword",
  ],
] as const;

/**
 * Runs `script` with `node` in a temporary project where the package is installed as npm installs
 * it: as `node -e`, or, with `file`, from that file of the project (a program's own file).
 */
function inInstalledProject(node: string, script: string, file?: string): string {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-empty-"));
  const dir = installedProject(empty);
  try {
    if (file) fs.writeFileSync(path.join(dir, file), script);
    const args = file ? [file] : ["-e", script];
    return execFileSync(node, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }
}

describe("serialized providers", function () {
  this.timeout(60000);

  for (const [name, exported, folder] of CASES) {
    it(`the ${name} __provider is, byte for byte, what Pulumi's serializer writes for the installed module`, () => {
      const script = `
        const pulumi = require("@pulumi/pulumi");
        const p = require("pulumi-db-passwords").${exported};
        pulumi.runtime.serializeFunction(() => p, { allowSecrets: false }).then((sf) => {
          const back = require("pulumi-db-passwords/dist/${folder}/provider.js");
          console.log(JSON.stringify({ text: sf.text, secrets: sf.containsSecrets, same: back === p, methods: Object.keys(back).sort() }));
        });`;
      const out = JSON.parse(inInstalledProject(process.execPath, script).trim());
      assert.strictEqual(providerReference(folder), out.text);
      assert.ok(out.text.length <= 1024, `${out.text.length} bytes`);
      assert.strictEqual(out.secrets, false);
      assert.strictEqual(out.same, true, "the stored reference resolves to the very provider object");
      assert.deepStrictEqual(out.methods, ["check", "create", "delete", "diff", "read", "update"]);
    });
  }

  it("the dynamic provider host's way of loading __provider (require-from-string, handler()) yields each provider", () => {
    const script = `
      const requireFromString = require("require-from-string");
      // a file the exports map keeps private, by its path in the installed package
      const root = require("path").dirname(require.resolve("pulumi-db-passwords/package.json"));
      const out = {};
      for (const folder of ${JSON.stringify(CASES.map((c) => c[2]))}) {
        const text = require(root + "/dist/shared/dynamic.js").providerReference(folder);
        const p = requireFromString(text).handler();
        out[folder] = p === require("pulumi-db-passwords/dist/" + folder + "/provider.js");
      }
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(inInstalledProject(process.execPath, script).trim());
    assert.deepStrictEqual(out, { milvus: true, geminidb: true, cassandra: true });
  });

  /** Declares resources under Pulumi's mocks on Node 26; returns what was registered and every warning. */
  const onNode26 = (declare: string) => {
    // Pulumi's mocks stand in for the engine: they receive exactly what the program registers.
    const script = `
      const warnings = [];
      process.on("warning", (w) => warnings.push(w.name + ": " + w.message));
      const pulumi = require("@pulumi/pulumi");
      const registered = {};
      pulumi.runtime.setMocks({
        newResource: (args) => { registered[args.type] = args.inputs.__provider; return { id: args.name + "-id", state: args.inputs }; },
        call: () => ({}),
      });
      const pkg = require("pulumi-db-passwords");
      ${declare}
      setTimeout(() => console.log(JSON.stringify({ registered, warnings, node: process.version })), 1000);`;
    return JSON.parse(inInstalledProject(path.join(programNodeBin(), "node"), script).trim());
  };

  it("on Node 26, a program that declares all three resources registers the reference and prints no warning", () => {
    const out = onNode26(`
      new pkg.MilvusUserPassword("m", { connection: { address: "127.0.0.1:1" }, user: "app", password: "Abcdef1!x" });
      new pkg.GeminiDbAdminPassword("g", { region: "eu-west-101", projectId: "p", instanceId: "i", password: "Abcdef1!x~" });
      new pkg.CassandraRolePassword("c", { connection: { address: "127.0.0.1:1" }, role: "app", password: "Abcdef1!x" });`);
    assert.match(out.node, /^v26\./);
    for (const [, , folder, , type] of CASES) assert.strictEqual(out.registered[type], providerReference(folder), type);
    assert.deepStrictEqual(out.warnings, []);
  });

  it("each class registers every output of its spec and keeps exactly the spec's secret fields secret", () => {
    // What reaches the engine: the RegisterResource requests, seen at Pulumi's mock monitor.
    const script = `
      const pulumi = require("@pulumi/pulumi");
      pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name + "-id", state: args.inputs }), call: () => ({}) });
      const monitor = pulumi.runtime.getMonitor();
      const register = monitor.registerResource.bind(monitor);
      const out = {};
      monitor.registerResource = (req, callback) => {
        const type = req.getType().split(":").pop();
        out[type] = { secret: req.getAdditionalsecretoutputsList() };
        return register(req, callback);
      };
      const pkg = require("pulumi-db-passwords");
      const made = [
        new pkg.MilvusUserPassword("m", { connection: { address: "127.0.0.1:1" }, user: "app", password: "Abcdef1!x" }),
        new pkg.GeminiDbAdminPassword("g", { region: "eu-west-101", projectId: "p", instanceId: "i", password: "Abcdef1!x~" }),
        new pkg.CassandraRolePassword("c", { connection: { address: "127.0.0.1:1" }, role: "app", password: "Abcdef1!x" }),
      ];
      setTimeout(() => {
        for (const r of made) {
          const type = r.constructor.name === "MilvusUserPassword" ? "UserPassword" : r.constructor.name === "GeminiDbAdminPassword" ? "AdminPassword" : "RolePassword";
          out[type].props = Object.keys(r).filter((k) => pulumi.Output.isInstance(r[k]));
        }
        console.log(JSON.stringify(out));
      }, 1000);`;
    const out = JSON.parse(inInstalledProject(process.execPath, script).trim());
    const specs = { UserPassword: milvusSpec, AdminPassword: geminiDbSpec, RolePassword: cassandraSpec };
    // What the classes listed by hand before the spec was the one source, and the password seed
    // every spec's state has since.
    const before: Record<string, string[]> = {
      UserPassword: ["connection", "currentPassword", "password", "passwordSeed", "standbyPassword"],
      AdminPassword: ["auth", "password", "passwordSeed"],
      RolePassword: ["connection", "currentPassword", "password", "passwordSeed", "standbyPassword"],
    };
    for (const [type, spec] of Object.entries(specs)) {
      const shape = dynamicShape(spec);
      // every output and state field is an output of the class (unknown until the provider answers)
      for (const k of shape.outputs) assert.ok(out[type].props.includes(k), `${spec.name}.${k} is an output`);
      const secret = [...out[type].secret].sort();
      assert.deepStrictEqual(secret, [...shape.secretOutputs].sort(), spec.name);
      assert.deepStrictEqual(secret, before[type], spec.name);
    }
  });

  it("each class sends every secret input of its spec as a secret, nested ones included, though the program passed plain strings", () => {
    // What reaches the engine: the inputs of each RegisterResource request, as the SDK serialized them.
    const script = `
      const pulumi = require("@pulumi/pulumi");
      pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name + "-id", state: {} }), call: () => ({}) });
      const monitor = pulumi.runtime.getMonitor();
      const register = monitor.registerResource.bind(monitor);
      const out = {};
      monitor.registerResource = (req, callback) => {
        out[req.getName()] = req.getObject().toJavaScript();
        return register(req, callback);
      };
      const pkg = require("pulumi-db-passwords");
      new pkg.MilvusUserPassword("milvus", { connection: { address: "127.0.0.1:1", username: "root", password: "Conn-Pw1" },
        user: "app", password: "App-Pw1~x", currentPassword: "Old-Pw1~x" });
      new pkg.MilvusUserPassword("milvus-output", { connection: pulumi.output({ address: "127.0.0.1:1", token: "root:Tok-Pw1" }),
        user: "app", password: pulumi.output(undefined) });
      new pkg.GeminiDbAdminPassword("gemini", { region: "eu-west-101", projectId: "p", instanceId: "i", password: "Gem-Pw1~x",
        auth: { accessKey: "AK", secretKey: "Sk-1", securityToken: "St-1", token: "Tk-1", userName: "u", password: "Iam-Pw1" } });
      new pkg.CassandraRolePassword("cassandra", { connection: { address: "127.0.0.1:1", username: "cassandra", password: "Cql-Pw1" },
        role: "app", password: "Role-Pw1~x", currentPassword: pulumi.secret("Old-Role-Pw1") });
      setTimeout(() => console.log(JSON.stringify(out)), 1000);`;
    const out = JSON.parse(inInstalledProject(process.execPath, script).trim());
    const SIG = "4dabf18193072939515e22adb298388d";
    const isSecret = (v: any) => v?.[SIG] === "1b47061264138c4ac30d75fd1eb44270";
    const at = (v: any, p: string) => p.split(".").reduce((o, k) => o?.[k], v);
    const specs: Record<string, ResourceSpec> = {
      milvus: milvusSpec,
      gemini: geminiDbSpec,
      cassandra: cassandraSpec,
    };
    let checked = 0;
    for (const [name, spec] of Object.entries(specs))
      for (const p of secretPaths(spec)) {
        const v = at(out[name], p);
        if (v === undefined) continue;
        assert.ok(isSecret(v), `${name}.${p} went to the engine as plain ${JSON.stringify(v)}`);
        checked++;
      }
    // every secret input of the specs but Milvus's connection.token (below, in an Output)
    assert.strictEqual(checked, 11);
    // beside a secret, a plain field stays plain (readable in state and diffs)
    assert.strictEqual(out.milvus.connection.address, "127.0.0.1:1");
    assert.strictEqual(out.gemini.auth.accessKey, "AK");
    assert.strictEqual(out.cassandra.role, "app");
    // a block given as an Output is wrapped whole; an Output of nothing stays an omitted input
    assert.ok(isSecret(out["milvus-output"].connection));
    assert.deepStrictEqual(out["milvus-output"].connection.value, { address: "127.0.0.1:1", token: "root:Tok-Pw1" });
    assert.ok(!("password" in out["milvus-output"]), JSON.stringify(out["milvus-output"].password));
  });

  it("registers with Error.stackTraceLimit at 0 (no stack trace per property promise) and restores it, unless PULUMI_DEBUG_PROMISE_LEAKS is set", () => {
    // Every value a setter of Error.stackTraceLimit receives while three resources are declared.
    const script = (debug: boolean) => `
      ${debug ? 'process.env.PULUMI_DEBUG_PROMISE_LEAKS = "true";' : ""}
      const pulumi = require("@pulumi/pulumi");
      pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name + "-id", state: {} }), call: () => ({}) });
      const pkg = require("pulumi-db-passwords");
      let limit = 10;
      const set = [];
      Object.defineProperty(Error, "stackTraceLimit", { configurable: true, get: () => limit, set: (v) => { set.push(v); limit = v; } });
      new pkg.MilvusUserPassword("m", { connection: { address: "127.0.0.1:1" }, user: "app", password: "Abcdef1!x" });
      new pkg.GeminiDbAdminPassword("g", { region: "eu-west-101", projectId: "p", instanceId: "i", password: "Abcdef1!x~" });
      new pkg.CassandraRolePassword("c", { connection: { address: "127.0.0.1:1" }, role: "app", password: "Abcdef1!x" });
      const after = limit;
      setTimeout(() => console.log(JSON.stringify({ set, after })), 500);`;
    const quiet = JSON.parse(inInstalledProject(process.execPath, script(false)).trim());
    // per resource: 0, then what Pulumi sets around its own source position, then 10 again
    assert.strictEqual(quiet.set[0], 0, JSON.stringify(quiet.set));
    assert.strictEqual(quiet.set.filter((v: number) => v === 10).length, 3, JSON.stringify(quiet.set));
    assert.strictEqual(quiet.after, 10);
    assert.strictEqual(quiet.set[quiet.set.length - 1], 10, "restored after the last constructor");
    const debug = JSON.parse(inInstalledProject(process.execPath, script(true)).trim());
    assert.ok(!debug.set.includes(0), JSON.stringify(debug.set));
    assert.strictEqual(debug.after, 10);
  });

  it("the source position Pulumi records for each resource is the program's line that declared it, as for Pulumi's generated classes", () => {
    // What reaches the engine: the source position of each RegisterResource request, which Pulumi
    // takes a fixed number of frames above its Resource constructor (state's `sourcePosition`).
    const lines = [
      'const pulumi = require("@pulumi/pulumi");',
      "pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name + '-id', state: {} }), call: () => ({}) });",
      "const monitor = pulumi.runtime.getMonitor();",
      "const register = monitor.registerResource.bind(monitor);",
      "const out = {};",
      "monitor.registerResource = (req, callback) => {",
      "  const at = req.getSourceposition();",
      "  out[req.getName()] = at ? { uri: at.getUri(), line: at.getLine() } : null;",
      "  return register(req, callback);",
      "};",
      'const pkg = require("pulumi-db-passwords");',
      'new pkg.MilvusUserPassword("m", { connection: { address: "127.0.0.1:1" }, user: "app", password: "Abcdef1!x" });',
      'new pkg.GeminiDbAdminPassword("g", { region: "eu-west-101", projectId: "p", instanceId: "i", password: "Abcdef1!x~" });',
      'new pkg.CassandraRolePassword("c", { connection: { address: "127.0.0.1:1" }, role: "app", password: "Abcdef1!x" });',
      "setTimeout(() => console.log(JSON.stringify(out)), 500);",
    ];
    const out = JSON.parse(inInstalledProject(process.execPath, lines.join("\n"), "index.js").trim());
    for (const [name, prefix] of [
      ["m", "new pkg.MilvusUserPassword"],
      ["g", "new pkg.GeminiDbAdminPassword"],
      ["c", "new pkg.CassandraRolePassword"],
    ]) {
      assert.ok(out[name], `${name}: no source position`);
      assert.match(out[name].uri, /^file:\/\/\/.*\/index\.js$/, `${name}: ${out[name].uri}`);
      assert.strictEqual(out[name].line, lines.findIndex((l) => l.startsWith(prefix)) + 1, name);
    }
  });

  it("control: the same provider through pulumi.dynamic.Resource (the closure serializer) warns about FFI on Node 26", () => {
    const out = onNode26(`
      class Plain extends pulumi.dynamic.Resource {
        constructor(name) { super(pkg.milvusUserPasswordProvider, name, {}, undefined, "milvus", "UserPassword"); }
      }
      new Plain("m");`);
    assert.ok(
      out.warnings.some((w: string) => /^ExperimentalWarning: FFI is an experimental feature/.test(w)),
      JSON.stringify(out.warnings),
    );
  });
});
