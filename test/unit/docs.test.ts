/**
 * The docs a newcomer meets, held to the code so that they cannot go stale unseen: every file,
 * folder, npm script, environment variable and example a doc names exists; every version it
 * names is the one the scripts install, package.json declares or the SDKs require; the lists of
 * engines, proof blocks and resources are whole; each example's README sets the config its
 * program reads, as the e2e test that runs it does, and cites that test; the registry pages
 * stand alone; and every TypeScript block type-checks against the package (Python blocks parse,
 * Go programs pass gofmt). A failure names the doc and what to fix in it.
 *
 * The sources of truth: package.json, package-lock.json, scripts/install-*.sh, sdk/python's
 * pyproject.toml, test/e2e/go-program/go.mod, the resource specs, provider/ and the tests.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../harness/tools";
import { tscAsUser } from "../helpers/user-tsc";
import { SPECS } from "../../provider/plugin/resources";
import { PROOF_BLOCKS } from "../../provider/geminidb/spec";
import { GEMINIDB_ENGINES } from "../../provider/shared/password";
import { MIN_NODE_MAJOR } from "../../provider/plugin/start";
import { GENERATED_PAGES, SDK_LANGUAGES } from "../../scripts/gen-sdk";
import { EXAMPLES, markedExamples } from "../../scripts/gen/registry";

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
const exists = (file: string) => fs.existsSync(path.join(REPO_ROOT, file));
const listDir = (dir: string) => fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true });

/**
 * What other work in progress adds: a doc may name these before they exist. Remove an entry
 * once it has landed.
 */

/** Every doc: the root's Markdown files, docs/, and each example's README (not the generated sdk/). */
function docFiles(): string[] {
  const root = listDir(".")
    .filter((e) => e.isFile() && e.name.endsWith(".md"))
    .map((e) => e.name);
  const docs = listDir("docs")
    .filter((e) => e.isFile() && e.name.endsWith(".md"))
    .map((e) => `docs/${e.name}`);
  const examples = exampleFolders()
    .map((e) => `examples/${e}/README.md`)
    .filter(exists);
  return [...root, ...docs, ...examples];
}
const exampleFolders = () =>
  listDir("examples")
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

/** The docs for users, where versions must be today's (ARCHITECTURE.md records Pulumi's history). */
const userDocs = () => docFiles().filter((f) => f !== "docs/ARCHITECTURE.md");
/** The pages the Pulumi Registry publishes by themselves. */
const REGISTRY_PAGES = ["docs/_index.md", "docs/installation-configuration.md"];

/** A doc's text without its fenced code blocks (prose rules do not apply to programs). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, "");
/** Paragraphs (blank-line separated, list items apart), each on one line. */
function paragraphs(text: string): string[] {
  return prose(text)
    .split(/\n\s*\n|\n(?=\s*[-*] |\s*\d+\. |\|)/)
    .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
    .filter(Boolean);
}
/** Sentences of the prose, each on one line (table rows are sentences of their own). */
const sentences = (text: string) => paragraphs(text).flatMap((p) => p.split(/(?<=[.!?])\s+(?=[A-Z`*(])/));
/** Fenced code blocks of a language. */
function blocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "gm"))].map((m) => m[1]);
}
/** A failure list as one message: each entry on a line. */
function none(found: string[], what: string): void {
  assert.deepStrictEqual(found, [], `${what}:\n  ${found.join("\n  ")}`);
}

// ------------------------------------------------------------------------------------------
// Sources of truth

const pkg = JSON.parse(read("package.json"));
const lock = JSON.parse(read("package-lock.json"));
/** `VAR="${VAR:-default}"` or `VAR=default` in a script. */
function scriptDefault(file: string, variable: string): string {
  const m = new RegExp(`${variable}="?\\$\\{[A-Z_]+:-([^}"]+)\\}|${variable}=([\\w.]+)`).exec(read(file));
  assert.ok(m, `${file} sets no ${variable}`);
  return (m[1] ?? m[2]).replace(/^v/, "");
}
const VERSIONS = {
  package: pkg.version as string,
  cli: scriptDefault("scripts/install-pulumi.sh", "PULUMI_VERSION"),
  sdkTested: lock.packages["node_modules/@pulumi/pulumi"].version as string,
  sdkMinimum: (pkg.dependencies["@pulumi/pulumi"] as string).replace(/^\^/, ""),
  pypiTested: /"pulumi==([\d.]+)"/.exec(read("scripts/install-python.sh"))![1],
  pypiMinimum: /"pulumi>=([\d.]+)/.exec(read("sdk/python/pyproject.toml"))![1],
  goSdk: /github\.com\/pulumi\/pulumi\/sdk\/v3 v([\d.]+)/.exec(read("test/e2e/go-program/go.mod"))![1],
  cassandra: scriptDefault("scripts/install-cassandra.sh", "CASSANDRA_VERSION"),
  milvus: /"milvus==([\d.]+)"/.exec(read("scripts/install-milvus.sh"))![1],
  nodes: [...read("scripts/install-node.sh").matchAll(/\d+\) VERSION=([\d.]+)/g)].map((m) => m[1]),
  engines: pkg.engines.node as string,
};
/**
 * A fact about Pulumi's releases, not about this repository: `@pulumi/pulumi` 3.249 is the first
 * that requires Node 22, so a Node 20 project gets 3.248. Docs may name these two, on a line
 * about Node.
 */
const NODE22_FIRST = ["3.248", "3.249"];

const same = (a: string, b: string) => a.replace(/(\.0)+$/, "") === b.replace(/(\.0)+$/, "");

describe("the docs", function () {
  this.timeout(120000);
  const docs = docFiles();

  it("are found: the README, CONTRIBUTING, CHANGELOG, the registry pages and every example's README", () => {
    for (const f of ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...REGISTRY_PAGES]) assert.ok(docs.includes(f), f);
    for (const e of exampleFolders())
      assert.ok(docs.includes(`examples/${e}/README.md`), `examples/${e} has no README`);
  });

  it("name only files and folders that exist (links, and paths in backticks)", () => {
    const missing: string[] = [];
    const roots = /^(provider|harness|test|scripts|bench|docs|examples|demo|sdk|bin)\//;
    const rootFiles =
      /^(package\.json|package-lock\.json|schema\.json|Pulumi\.yaml|README\.md|CHANGELOG\.md|CONTRIBUTING\.md|LICENSE)$/;
    const check = (doc: string, target: string, from: string) => {
      const file = path.normalize(path.join(from, target)).replace(/\/$/, "");
      if (target.includes("*")) {
        const re = new RegExp(`^${file.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`);
        const top = file.split("/")[0];
        if (!exists(top) || !walk(top).some((f) => re.test(f))) missing.push(`${doc}: ${target}`);
      } else if (!exists(file)) missing.push(`${doc}: ${target}`);
    };
    for (const doc of docs) {
      const text = read(doc);
      for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].replace(/#.*$/, "");
        if (!target || /^[a-z]+:/.test(target)) continue;
        check(doc, target, path.dirname(doc));
      }
      for (const m of text.matchAll(/`([^`\s]+)`/g)) {
        const token = m[1].replace(/[.,:;)]+$/, "");
        if (/[<>{}…]|\.\.\./.test(token) || /^sdk\/v\d/.test(token)) continue; // sdk/v3: Pulumi's Go module
        if (roots.test(token) || rootFiles.test(token)) check(doc, token, ".");
      }
    }
    none(missing, "these are named but do not exist");
  });

  it("name only npm scripts that package.json has", () => {
    const wrong: string[] = [];
    for (const doc of docs) {
      for (const m of read(doc).matchAll(/npm run ([\w-]+(?::[\w-]+)*)/g)) {
        if (!(m[1] in pkg.scripts)) wrong.push(`${doc}: npm run ${m[1]}`);
      }
    }
    none(wrong, "no such npm script");
  });

  it("name only environment variables the code reads", () => {
    const code = ["provider", "scripts", "harness", "bench"]
      .flatMap((d) => walk(d))
      .filter((f) => /\.(ts|js|sh)$/.test(f))
      .map(read)
      .join("\n");
    const wrong: string[] = [];
    for (const doc of docs) {
      for (const m of read(doc).matchAll(/\b((?:MILVUS|HW|CASSANDRA|PDP)_[A-Z][A-Z0-9_]*)\b/g)) {
        if (!code.includes(m[1])) wrong.push(`${doc}: ${m[1]}`);
      }
    }
    none([...new Set(wrong)], "no code reads these variables");
  });

  describe("versions", () => {
    it("every Pulumi version a user doc names is one the tests run or package.json accepts", () => {
      const known = [VERSIONS.cli, VERSIONS.sdkTested, VERSIONS.sdkMinimum, VERSIONS.pypiTested, VERSIONS.goSdk];
      const wrong: string[] = [];
      for (const doc of userDocs()) {
        read(doc)
          .split("\n")
          .forEach((line, i) => {
            for (const m of line.matchAll(/\bv?(3\.2\d\d(?:\.\d+)?)\b/g)) {
              if (known.some((k) => same(m[1], k))) continue;
              if (NODE22_FIRST.some((k) => same(m[1], k)) && /\bNode(\.js)? (20|22)\b/.test(line)) continue;
              wrong.push(`${doc}:${i + 1}: ${m[1]}: ${line.trim()}`);
            }
          });
      }
      none(
        wrong,
        `stale Pulumi versions (tested: CLI ${VERSIONS.cli}, @pulumi/pulumi ${VERSIONS.sdkTested}, PyPI pulumi ${VERSIONS.pypiTested})`,
      );
    });

    it("the Python requirement is the SDK's (pulumi>=, PyPI `pulumi` … or later)", () => {
      const wrong: string[] = [];
      for (const doc of docs) {
        const text = read(doc);
        for (const m of text.matchAll(/pulumi>=([\d.]+)/g))
          if (!same(m[1], VERSIONS.pypiMinimum)) wrong.push(`${doc}: pulumi>=${m[1]}`);
        for (const m of text.matchAll(/PyPI `pulumi` ([\d.]+) or later/g))
          if (!same(m[1], VERSIONS.pypiMinimum)) wrong.push(`${doc}: PyPI pulumi ${m[1]} or later`);
      }
      none(wrong, `the Python SDK requires pulumi>=${VERSIONS.pypiMinimum}`);
    });

    it("the Pulumi CLI named is the one scripts/install-pulumi.sh builds", () => {
      const wrong: string[] = [];
      for (const doc of docs) {
        for (const m of read(doc).matchAll(/(?:Pulumi CLI|CLI) v?(\d+\.\d+\.\d+)/g))
          if (!same(m[1], VERSIONS.cli)) wrong.push(`${doc}: CLI ${m[1]}`);
      }
      none(wrong, `the CLI is ${VERSIONS.cli}`);
    });

    it("Node.js: the engines range, the oldest major, the exact versions scripts/install-node.sh pins", () => {
      const oldest = Math.min(...[...VERSIONS.engines.matchAll(/\^(\d+)/g)].map((m) => Number(m[1])));
      assert.strictEqual(oldest, MIN_NODE_MAJOR, "package.json's engines and the plugin's refusal disagree");
      const engines = VERSIONS.engines.replace(/\.0\.0/g, "");
      const wrong: string[] = [];
      for (const doc of docs) {
        const text = read(doc).replace(/\\\|/g, "|");
        for (const m of text.matchAll(/`(\^\d+(?:\.\d+\.\d+)?(?: \|\| \^\d+(?:\.\d+\.\d+)?)+)`/g))
          if (m[1].replace(/\.0\.0/g, "") !== engines) wrong.push(`${doc}: engines ${m[1]}`);
        if (doc !== "docs/ARCHITECTURE.md")
          for (const m of text.matchAll(/Node(?:\.js)? (\d+) or later/g))
            if (Number(m[1]) !== MIN_NODE_MAJOR) wrong.push(`${doc}: Node ${m[1]} or later`);
        for (const m of text.matchAll(/\b(2[0-9]\.\d+\.\d+)\b/g))
          if (/^2[0-9]\.\d+\.\d+$/.test(m[1]) && /Node|node/.test(text.slice(Math.max(0, m.index! - 60), m.index)))
            if (!VERSIONS.nodes.includes(m[1])) wrong.push(`${doc}: Node ${m[1]}`);
      }
      none(wrong, `engines ${VERSIONS.engines}, oldest ${MIN_NODE_MAJOR}, pinned ${VERSIONS.nodes.join(", ")}`);
    });

    it("the package's version, Cassandra's and Milvus's are the ones the repository has", () => {
      const wrong: string[] = [];
      for (const doc of docs) {
        const text = read(doc);
        for (const m of text.matchAll(/dbpasswords (\d+\.\d+\.\d+)|dbpasswords@v(\d+\.\d+\.\d+)|-v(\d+\.\d+\.\d+)-/g)) {
          const v = m[1] ?? m[2] ?? m[3];
          if (v !== VERSIONS.package) wrong.push(`${doc}: package version ${v}`);
        }
        for (const m of text.matchAll(/Cassandra (\d+\.\d+\.\d+)/g))
          if (m[1] !== VERSIONS.cassandra) wrong.push(`${doc}: Cassandra ${m[1]}`);
        for (const m of text.matchAll(/Milvus (\d+\.\d+\.\d+)/g))
          if (m[1] !== VERSIONS.milvus) wrong.push(`${doc}: Milvus ${m[1]}`);
      }
      none(wrong, `package ${VERSIONS.package}, Cassandra ${VERSIONS.cassandra}, Milvus ${VERSIONS.milvus}`);
      const heading = read("CHANGELOG.md")
        .split("\n")
        .find((l) => l.startsWith("## "));
      assert.match(
        heading ?? "",
        new RegExp(`^## v?${VERSIONS.package.replace(/\./g, "\\.")}\\b`),
        "CHANGELOG's top entry",
      );
    });
  });

  describe("what the product is", () => {
    it("every sentence that lists GeminiDB engines lists them all (Cassandra, Mongo, Influx, Redis)", () => {
      assert.deepStrictEqual([...GEMINIDB_ENGINES].sort(), ["cassandra", "influxdb", "mongodb", "redis"]);
      // FerretDB is the tests' stand-in for Mongo
      const names = [/\bCassandra\b/, /\bMongo(DB)?\b|\bFerretDB\b/, /\bInflux(DB)?\b/, /\bRedis\b/];
      const wrong: string[] = [];
      for (const doc of docs) {
        for (const sentence of sentences(read(doc))) {
          if (!/GeminiDB|GeminiDbAdminPassword/.test(sentence)) continue;
          const n = names.filter((re) => re.test(sentence)).length;
          if (n >= 3 && n < names.length) wrong.push(`${doc}: ${sentence}`);
        }
      }
      none(wrong, "an engine list that leaves engines out");
    });

    it("every list of proof blocks names them all", () => {
      const all = Object.keys(PROOF_BLOCKS);
      const wrong: string[] = [];
      for (const doc of docs) {
        for (const sentence of sentences(read(doc))) {
          const named = all.filter((b) => new RegExp("`" + b + "`|\\(" + b + "\\)").test(sentence));
          if (named.length >= 3 && named.length < all.length) wrong.push(`${doc}: ${sentence}`);
        }
      }
      none(wrong, `a proof-block list that leaves some of ${all.join(", ")} out`);
    });

    it("no sentence says GeminiDbAdminPassword serves one engine only", () => {
      const wrong: string[] = [];
      for (const doc of ["README.md", "CHANGELOG.md", ...REGISTRY_PAGES]) {
        for (const p of paragraphs(read(doc))) {
          if (
            /GeminiDbAdminPassword`?:? (resets|sets) (a|the) GeminiDB (Cassandra|Mongo|Influx|Redis) instance/.test(p)
          )
            wrong.push(`${doc}: ${p.slice(0, 120)}`);
        }
      }
      none(wrong, "GeminiDbAdminPassword serves every engine the reset API serves");
    });

    it("name the SDK languages the plugin has: no Node.js SDK, so TypeScript programs do not use the plugin through one", () => {
      assert.ok(!(SDK_LANGUAGES as readonly string[]).includes("nodejs"));
      const wrong: string[] = [];
      for (const doc of docs) {
        for (const p of paragraphs(read(doc))) {
          for (const sentence of p.split(/(?<=[.;:])\s+/)) {
            const claims =
              /TypeScript too|(TypeScript|JavaScript)[^.]*\b(can|may) (also )?(use|reach) the\b[^.]*plugin/.test(
                sentence,
              ) ||
              /\b(Python|YAML|Go)\b[^.]*\b(TypeScript|JavaScript)\b[^.]*\b(through|via) the\b[^.]*plugin/.test(
                sentence,
              );
            if (claims && !/CustomResource|no Node\.js SDK/.test(sentence)) wrong.push(`${doc}: ${sentence}`);
          }
        }
      }
      none(wrong, "TypeScript programs use the classes; the plugin has no Node.js SDK");
    });

    it("do not say the CLI downloads the plugin for YAML programs by itself", () => {
      const wrong: string[] = [];
      for (const doc of docs) {
        for (const p of paragraphs(read(doc))) {
          if (!/\bYAML\b/.test(p) || !/\bdownloads?\b/.test(p)) continue;
          if (
            /\b(does not|doesn't|not) (download|say where)|install(s)? (it|the plugin) once|pulumi plugin install/.test(
              p,
            )
          )
            continue;
          if (/download(s|ed)? (and installs )?(it|the plugin)|downloads? the plugin/.test(p))
            wrong.push(`${doc}: ${p}`);
        }
      }
      none(wrong, "a YAML program names no plugin source: it needs `pulumi plugin install` first");
    });

    it("check downloaded release files with sha256sum -c --ignore-missing", () => {
      const wrong = docs.flatMap((doc) =>
        [...read(doc).matchAll(/sha256sum -c(?! --ignore-missing)[^\n]*/g)].map((m) => `${doc}: ${m[0]}`),
      );
      none(wrong, "sha256sum -c fails on a folder with only some of the files");
    });

    it("state no count of faults or cases, which the suites print themselves", () => {
      const wrong = docs.flatMap((doc) =>
        [...prose(read(doc)).matchAll(/\b\d+[- ](faults?|bad[- ]inputs?|cases|rows)\b[^\n]*/g)].map(
          (m) => `${doc}: ${m[0]}`,
        ),
      );
      none(wrong, "counts that go stale");
    });

    it("backticked field names are fields of a resource", () => {
      const fields = new Set<string>();
      for (const spec of SPECS) {
        for (const group of [spec.inputs, spec.outputs, spec.state ?? {}])
          Object.keys(group).forEach((k) => fields.add(k));
        for (const t of Object.values(spec.types)) Object.keys(t.properties).forEach((k) => fields.add(k));
      }
      // camelCase words in backticks that are no field: SDK calls, options, identifiers of Pulumi and the code
      const OTHER = new Set([
        "requireSecret",
        "getSecret",
        "additionalSecretOutputs",
        "computeBuiltInModules",
        "secretPaths",
        "withSecretInputs",
        "dynamicShape",
        "dynamicRegistration",
        "sourcePosition",
        "pulumiStillThere",
        "watchPulumi",
        "issuesToFailures",
        "cqlTarget",
        "canLogin",
        "importInputs",
        "localDataCenter",
        "pluginDownloadURL",
        "runtime",
        "credentials_validity",
        "maxUserNum",
        "superUsers",
        "updateUser",
        "ignoreErrors",
        "hideDiffs",
      ]);
      // the config keys of the examples' programs
      for (const e of exampleFolders()) for (const k of programConfig(e).keys.keys()) OTHER.add(k);
      const wrong: string[] = [];
      for (const doc of docs) {
        for (const m of prose(read(doc)).matchAll(/`([a-z]+[A-Z][A-Za-z]*)`/g)) {
          if (!fields.has(m[1]) && !OTHER.has(m[1])) wrong.push(`${doc}: ${m[1]}`);
        }
      }
      none([...new Set(wrong)], "no resource has these fields (a name from an older version?)");
    });
  });

  describe("the README", () => {
    const readme = read("README.md");

    it("is a user guide of about 400 lines", () => {
      const lines = readme.split("\n").length;
      assert.ok(lines <= 450, `README.md has ${lines} lines: developer material belongs in CONTRIBUTING.md or docs/`);
    });

    it("keeps the two set-up commands a fresh machine needs: the demo and every test (.ci/run's)", () => {
      assert.match(read(".ci/run"), /^npm test$/m);
      assert.match(readme, /^npm ci && npm run demo\b/m);
      assert.match(readme, /^npm test\b/m);
    });

    it("describes the demo as scripts/demo.ts and demo/ run it: every server it starts, every resource and proof block", () => {
      const demo = read("scripts/demo.ts");
      const program = read("demo/index.ts");
      const servers: Record<string, string> = {
        startRealMilvus: "Milvus",
        startRealCassandra: "Cassandra",
        startRealRedis: "Redis",
        startRealInflux: "InfluxDB",
        startRealMongo: "FerretDB",
        GeminiDbEmulator: "emulator",
      };
      const started = [...demo.matchAll(/\b(startReal\w+|new GeminiDbEmulator)\(/g)].map((m) =>
        m[1].replace(/^new /, ""),
      );
      for (const s of started) assert.ok(s in servers, `scripts/demo.ts starts ${s}: add it to this test's table`);
      const at = readme.indexOf("`npm run demo`");
      assert.ok(at >= 0, "the README does not describe `npm run demo`");
      const description = readme.slice(at, readme.indexOf("\n\n", at));
      const missing = [
        ...started.map((s) => servers[s]),
        ...[...program.matchAll(/new (\w+)\(/g)].map((m) => m[1]).filter((c) => SPECS.some((s) => s.name === c)),
        ...Object.keys(PROOF_BLOCKS)
          .filter((b) => new RegExp(`\\b${b}: \\{`).test(program))
          .map((b) => `\`${b}\``),
      ].filter((word) => !description.includes(word));
      none(missing, "the README's demo paragraph leaves out what the demo runs");
    });

    it("has a row in its examples table for every folder of examples/", () => {
      const rows = readme.split("\n").filter((l) => l.startsWith("|"));
      const missing = exampleFolders().filter((e) => !rows.some((r) => r.includes(`examples/${e}`)));
      none(missing, "examples missing from the README's table");
    });

    it("shows how to import every resource of the plugin, with its id", () => {
      for (const doc of ["README.md", "docs/_index.md"]) {
        const text = read(doc);
        for (const spec of SPECS)
          assert.match(
            text,
            new RegExp(`pulumi import dbpasswords:index:${spec.name} \\S+ \\S+`),
            `${doc}: ${spec.name}`,
          );
      }
    });

    it("leaves a Clusters heading in the proofs that links docs/clusters.md", () => {
      const proofs = readme.slice(
        readme.indexOf("## Proofs"),
        readme.indexOf("\n## ", readme.indexOf("## Proofs") + 1),
      );
      assert.match(proofs, /^### Clusters$/m);
      assert.match(proofs, /\(docs\/clusters\.md\)/);
    });
  });

  describe("for contributors", () => {
    const contributing = read("CONTRIBUTING.md");

    it("CONTRIBUTING names every tool script, and the Debian packages that need apt-get as root (as the README does)", () => {
      const scripts = listDir("scripts")
        .map((e) => e.name)
        .filter((n) => /^install-.*\.sh$/.test(n));
      none(
        scripts.filter((s) => !contributing.includes(`scripts/${s}`)),
        "CONTRIBUTING.md leaves out these tool scripts",
      );
      const debian = scripts
        .filter((s) => s !== "install-debian-server.sh")
        .map((s) => /install-debian-server\.sh" (\S+)/.exec(read(`scripts/${s}`))?.[1])
        .filter((p): p is string => !!p);
      assert.ok(debian.length >= 2, "no script installs a Debian package?");
      for (const doc of ["CONTRIBUTING.md", "README.md"]) {
        const text = read(doc);
        assert.match(text, /apt-get/, `${doc} does not say that apt-get runs`);
        assert.match(text, /\broot\b/, `${doc} does not say that apt-get needs root`);
        none(
          debian.filter((p) => !text.includes(`\`${p}\``)),
          `${doc} leaves out Debian packages the scripts install`,
        );
      }
    });

    it("the layout names every folder of provider/, and ARCHITECTURE.md every file in it", () => {
      const folders = listDir("provider")
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
      none(
        folders.filter((f) => !contributing.includes(`\`${f}/\``)),
        "CONTRIBUTING.md's layout leaves out",
      );
      const arch = read("docs/ARCHITECTURE.md");
      const layout = /## 1\. Layout\s+```\n([\s\S]*?)```/.exec(arch)![1];
      const missing: string[] = [];
      for (const folder of folders) {
        // the folder's part of the layout: from its line to the next line that starts a folder
        const start = layout.search(new RegExp(`^ {0,2}${folder}/`, "m"));
        if (start < 0) {
          missing.push(`${folder}/`);
          continue;
        }
        const firstLineEnd = layout.indexOf("\n", start) + 1;
        const rest = layout.slice(firstLineEnd);
        const end = rest.search(/^ {0,2}[a-z][\w-]*\/ /m);
        const part = layout.slice(start, firstLineEnd) + (end < 0 ? rest : rest.slice(0, end));
        for (const file of fs.readdirSync(path.join(REPO_ROOT, "provider", folder)))
          if (file.endsWith(".ts") && !part.includes(file) && !part.includes(file.replace(/\.ts$/, "")))
            missing.push(`provider/${folder}/${file}`);
      }
      none(missing, "docs/ARCHITECTURE.md's layout leaves out");
    });

    it("the time each folder takes is what test/helpers/durations.json measured", () => {
      const durations: Record<string, number> = JSON.parse(read("test/helpers/durations.json"));
      const rows = [...contributing.matchAll(/^\| `(test\/\w+)` \|.*\| about (\d+) minutes \|$/gm)];
      assert.ok(rows.length >= 2, "CONTRIBUTING.md has no table of times per folder");
      for (const [, folder, minutes] of rows) {
        const measured =
          Object.entries(durations)
            .filter(([f]) => f.startsWith(`${folder}/`))
            .reduce((a, [, s]) => a + s, 0) / 60;
        const ratio = Number(minutes) / measured;
        assert.ok(
          ratio > 0.67 && ratio < 1.5,
          `${folder}: CONTRIBUTING says about ${minutes} minutes, measured ${measured.toFixed(1)}`,
        );
      }
    });
  });

  it("docs/performance.md shows the bench's chart, and says how to make it again", () => {
    const perf = read("docs/performance.md");
    assert.match(perf, /!\[[^\]]*\]\(\.\.\/bench\/results\/chart\.svg\)/, "the chart is not shown as an image");
    assert.match(perf, /npm run bench\b/);
    assert.ok(exists("bench/results/chart.svg") && exists("bench/results/latest.json"));
  });

  it("docs/performance.md names every scenario of the bench, and today's figures are bench/results/latest.json's", () => {
    const perf = read("docs/performance.md");
    const scenarios = [
      .../const SCENARIOS = \[([\s\S]*?)\] as const/.exec(read("bench/run.ts"))![1].matchAll(/"([\w-]+)"/g),
    ];
    none(
      scenarios.map((m) => m[1]).filter((s) => !perf.includes(`\`${s}\``)),
      "docs/performance.md does not describe these scenarios of bench/run.ts",
    );
    const latest = JSON.parse(read("bench/results/latest.json"));
    const day = String(latest.date).slice(0, 10);
    assert.ok(perf.includes(`Measured on ${day}`), `docs/performance.md does not give the figures of ${day}`);
    const n = Math.max(...latest.sizes);
    const wrong = (latest.scenarios as string[])
      .map((s) => `${latest.medians[`${s}/${n}/up`].toFixed(2)} s`)
      .filter((figure) => !perf.includes(figure));
    none(wrong, "docs/performance.md's table lacks these medians of bench/results/latest.json (up)");
  });

  describe("the registry pages", () => {
    const index = read("docs/_index.md");

    it("stand alone: no reference to the README, no relative link", () => {
      for (const page of REGISTRY_PAGES) {
        const text = read(page);
        assert.doesNotMatch(text, /README/, `${page} sends the reader to the README`);
        none(
          [...prose(text).matchAll(/\]\((?![a-z]+:)([^)]+)\)/g)].map((m) => m[1]),
          `${page} has relative links, which break on the registry`,
        );
      }
    });

    it("have, per resource, a section with its examples, import, the rights its identity needs, inputs and outputs", () => {
      for (const spec of SPECS) {
        const at = index.indexOf(`\n## ${spec.name}\n`);
        assert.ok(at >= 0, `docs/_index.md has no section ${spec.name}`);
        const end = index.indexOf("\n## ", at + 1);
        const section = index.slice(at, end < 0 ? undefined : end);
        for (const heading of ["### Examples", "### Import", "### Inputs", "### Outputs"])
          assert.ok(section.includes(`\n${heading}\n`), `${spec.name}: no ${heading}`);
        assert.match(section, /\n### The (rights|IAM actions) /, `${spec.name}: no section on the rights it needs`);
        for (const which of ["inputs", "outputs"])
          assert.ok(section.includes(`<!-- fields:${spec.name}:${which} -->`), `${spec.name}: no ${which} table`);
      }
    });

    it("have an example per way to rotate, in every language: trigger, schedule, the standby pair, each proof block", () => {
      const marked = new Set(markedExamples(index));
      for (const spec of SPECS) {
        const modes = ["config", "trigger", "schedule"];
        if (Object.keys(spec.inputs).some((k) => k.startsWith("standby"))) modes.push("pair");
        for (const block of Object.keys(PROOF_BLOCKS)) if (block in spec.inputs) modes.push(block);
        for (const mode of modes)
          assert.ok(marked.has(`${spec.name}:${mode}`), `docs/_index.md has no example ${spec.name}:${mode}`);
      }
      for (const key of Object.keys(EXAMPLES))
        assert.ok(
          GENERATED_PAGES.some((p) => markedExamples(read(p)).includes(key)),
          `scripts/gen/registry.ts describes ${key}, which no page shows`,
        );
    });
  });

  describe("each example's README runs as written", () => {
    const tests = ["test/e2e", "test/reliability", "test/integration"]
      .flatMap((d) => walk(d))
      .filter((f) => f.endsWith(".test.ts"));

    for (const example of exampleFolders()) {
      describe(`examples/${example}`, () => {
        const readmeFile = `examples/${example}/README.md`;
        const commands = () => blocks(read(readmeFile), "sh").join("\n");
        const program = () => programConfig(example);

        it("cites a test that runs it", () => {
          const cited = [...read(readmeFile).matchAll(/`(test\/[\w/.-]+\.test\.ts)`/g)].map((m) => m[1]);
          assert.ok(cited.length > 0, `${readmeFile} cites no test`);
          for (const t of cited) {
            assert.ok(exists(t), `${readmeFile} cites ${t}, which does not exist`);
            assert.ok(mentions(read(t), example), `${readmeFile} cites ${t}, which does not run examples/${example}`);
          }
        });

        it("sets the config its program reads, secret where the program reads a secret, and every key it requires", () => {
          const { keys } = program();
          const set = [...commands().matchAll(/pulumi config set (--secret )?([\w]+)/g)].map((m) => ({
            key: m[2],
            secret: !!m[1],
          }));
          const wrong: string[] = [];
          for (const s of set) {
            const k = keys.get(s.key);
            if (!k) wrong.push(`${s.key}: the program reads no such key`);
            else if (k.secret !== s.secret)
              wrong.push(`${s.key}: the program reads it ${k.secret ? "as a secret" : "in plain"}`);
          }
          for (const [key, k] of keys)
            if (k.required && !set.some((s) => s.key === key)) wrong.push(`${key}: required, never set`);
          none(wrong, readmeFile);
        });

        it("sets each key as the test that runs it does (or a key the program may go without)", () => {
          const { keys } = program();
          const runners = tests.filter((t) => mentions(read(t), example)).map(read);
          assert.ok(runners.length > 0, `no test runs examples/${example}`);
          const wrong: string[] = [];
          for (const m of commands().matchAll(/pulumi config set (?:--secret )?(\w+)/g)) {
            if (keys.get(m[1])?.required === false) continue;
            if (!runners.some((t) => new RegExp(`\\b${m[1]}\\b\\s*[:,}]|"${m[1]}"`).test(t))) wrong.push(m[1]);
          }
          none(wrong, `${readmeFile} sets keys no test of it sets`);
        });

        it("reads only outputs its program exports", () => {
          const { outputs } = program();
          const wrong = [...commands().matchAll(/pulumi stack output (\w+)/g)]
            .map((m) => m[1])
            .filter((o) => !outputs.includes(o));
          none(wrong, `${readmeFile} reads outputs examples/${example} does not export`);
        });
      });
    }

    it("no example's Pulumi.yaml pins a region's endpoint as a default", () => {
      const wrong = exampleFolders()
        .filter((e) => /default: https?:\/\/\S*myhuaweicloud/.test(read(`examples/${e}/Pulumi.yaml`)))
        .map((e) => `examples/${e}/Pulumi.yaml`);
      none(wrong, "endpoints must come from config or the region, not one region's default");
    });
  });

  describe("code blocks", () => {
    it("every TypeScript block type-checks against the package's declarations", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-docs-ts-"));
      try {
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
        const preamble = [
          'import * as pulumi from "@pulumi/pulumi";',
          'import { CassandraRolePassword, GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";',
          "const config = new pulumi.Config();",
          "void [CassandraRolePassword, GeminiDbAdminPassword, MilvusUserPassword, config];",
        ].join("\n");
        const files: string[] = [];
        const origin = new Map<string, string>();
        for (const doc of docs) {
          blocks(read(doc), "typescript").forEach((code, i) => {
            const file = path.join(dir, `${doc.replace(/[/.]/g, "_")}_${i}.ts`);
            fs.writeFileSync(file, `${/^import /m.test(code) ? "" : `${preamble}\n`}${code}\nexport {};\n`);
            files.push(file);
            origin.set(path.basename(file), `${doc}, TypeScript block ${i + 1}`);
          });
        }
        assert.ok(files.length >= 10, "fewer TypeScript blocks than expected");
        const r = tscAsUser(dir, files);
        const out = (r.stdout + r.stderr).replace(/\S+\.ts/g, (f) => origin.get(path.basename(f)) ?? f);
        assert.strictEqual(r.status, 0, out);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("every Python block parses, and every Go program is as gofmt prints it", () => {
      const wrong: string[] = [];
      for (const doc of docs) {
        for (const code of blocks(read(doc), "python")) {
          const r = spawnSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], {
            input: code,
            encoding: "utf8",
          });
          if (r.status !== 0) wrong.push(`${doc}: ${r.stderr.trim().split("\n").pop()}`);
        }
        for (const code of blocks(read(doc), "go").filter((c) => c.startsWith("package main"))) {
          let formatted: string;
          try {
            formatted = execFileSync("gofmt", [], { input: code, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // no Go toolchain: nothing to hold Go to
            wrong.push(`${doc}: ${(err as { stderr?: string }).stderr ?? err}`);
            continue;
          }
          if (formatted !== code) wrong.push(`${doc}: a Go program gofmt would change`);
        }
      }
      none(wrong, "code blocks that do not parse");
    });
  });
});

/** Every file under `dir` (repository-relative). */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of listDir(dir)) {
    const f = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (!["node_modules", "__pycache__", "scratch"].includes(e.name)) out.push(...walk(f));
    } else out.push(f);
  }
  return out;
}

/** Whether a test file runs the example: it names its folder as a path or a string. */
const mentions = (test: string, example: string) =>
  test.includes(`examples/${example}`) ||
  test.includes(`"examples", "${example}"`) ||
  test.includes(`EXAMPLES, "${example}"`);

/**
 * The config keys an example's program reads (TypeScript `cfg.require("k")`, Python
 * `cfg.get("k")`, YAML's `config:` section), whether each is required and secret, and its
 * stack outputs.
 */
function programConfig(example: string): {
  keys: Map<string, { required: boolean; secret: boolean }>;
  outputs: string[];
} {
  const dir = `examples/${example}`;
  const keys = new Map<string, { required: boolean; secret: boolean }>();
  const outputs: string[] = [];
  for (const file of ["index.ts", "__main__.py"].map((f) => `${dir}/${f}`).filter(exists)) {
    const code = read(file);
    for (const m of code.matchAll(/cfg\.(\w+)\(\s*"(\w+)"/g)) {
      const required = /^require/.test(m[1]);
      const secret = /secret/i.test(m[1]);
      const before = keys.get(m[2]);
      keys.set(m[2], { required: required || !!before?.required, secret: secret || !!before?.secret });
    }
    for (const m of code.matchAll(/^export const (\w+)|pulumi\.export\("(\w+)"/gm)) outputs.push(m[1] ?? m[2]);
  }
  const yaml = read(`${dir}/Pulumi.yaml`);
  const config = /^config:\n((?: {2}.*\n|\s*\n)*)/m.exec(yaml)?.[1] ?? "";
  for (const m of config.matchAll(/^ {2}(\w+):\n((?: {4}.*\n)*)/gm)) {
    keys.set(m[1], { required: !/^ {4}default:/m.test(m[2]), secret: /^ {4}secret: true/m.test(m[2]) });
  }
  const outs = /^outputs:\n((?: {2}.*\n)*)/m.exec(yaml)?.[1] ?? "";
  for (const m of outs.matchAll(/^ {2}(\w+):/gm)) outputs.push(m[1]);
  return { keys, outputs };
}
