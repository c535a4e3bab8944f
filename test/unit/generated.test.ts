/**
 * What `npm run gen-sdk` makes from the resource specs is committed, and must be what the specs
 * make now: the documented argument interfaces, schema.json, the README's field tables, and
 * the Python and Go SDKs (generated again here with Pulumi's own generators and compared file
 * by file). A spec edited without `npm run gen-sdk` fails here. And each text that lists the
 * resources names every one: what is generated lists them from the specs; package.json, which
 * is written by hand, is held to them here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RESOURCE_DIRS, SDK_LANGUAGES, generateSdk, generatedFiles } from "../../scripts/gen-sdk";
import { REPO_ROOT, pulumiBin } from "../../harness/tools";
import { SPECS } from "../../provider/plugin/resources";
import { fieldDoc, secretPaths } from "../../provider/shared/spec";

const HINT = "run `npm run gen-sdk` and commit what it writes";

/** Every file under `dir`, as relative paths. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

describe("generated from the resource specs", function () {
  this.timeout(120000);

  for (const [file, text] of generatedFiles()) {
    it(`${file} is what the specs make`, () => {
      const committed = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
      assert.ok(committed === text, `${file} differs from what the specs make: ${HINT}`);
    });
  }

  for (const language of SDK_LANGUAGES) {
    it(`sdk/${language} is what Pulumi's ${language} generator makes of schema.json`, () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `pdp-sdk-${language}-`));
      try {
        generateSdk(
          path.join(pulumiBin(), "pulumi-dbpasswords-codegen"),
          path.join(REPO_ROOT, "schema.json"),
          language,
          out,
        );
        const committedDir = path.join(REPO_ROOT, "sdk", language);
        const generated = tree(out);
        assert.ok(generated.length > 3, "the generator made next to nothing");
        assert.deepStrictEqual(tree(committedDir), generated, `the files of sdk/${language} differ: ${HINT}`);
        const differing = generated.filter(
          (f) => !fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(committedDir, f))),
        );
        assert.deepStrictEqual(differing, [], `these files of sdk/${language} differ: ${HINT}`);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  }

  it("each text that lists the resources names every spec: the package description (schema.json, pyproject.toml, the Go doc) and the PyPI README", () => {
    const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
    const texts: Record<string, string> = {
      "schema.json's description": JSON.parse(read("schema.json")).description,
      "sdk/python/pyproject.toml's description": /^\s*description = "(.*)"$/m.exec(
        read("sdk/python/pyproject.toml"),
      )![1],
      "the PyPI README (sdk/python/README.md)": read("sdk/python/README.md"),
      "the Go package doc (sdk/go/dbpasswords/doc.go)": read("sdk/go/dbpasswords/doc.go"),
    };
    assert.ok(SPECS.length >= 3);
    for (const [where, text] of Object.entries(texts)) {
      for (const spec of SPECS) assert.ok(text.includes(spec.name), `${where} does not name ${spec.name}`);
    }
  });

  it("every spec has its folder in the generator (its args.ts, its modules in dist/)", () => {
    assert.deepStrictEqual(
      RESOURCE_DIRS.map((r) => r.spec.name),
      SPECS.map((s) => s.name),
    );
  });

  it("the README's table of resources has a row for every spec", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    for (const spec of SPECS)
      assert.ok(readme.includes(`\n| \`${spec.name}\` |`), `README.md has no row for ${spec.name}`);
  });

  it("package.json's description and keywords name the database of every spec", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    for (const spec of SPECS) {
      // the name's first word, with a "Db" after it: milvus, geminidb, cassandra
      const database = /^[A-Z][a-z]+(?:Db)?/.exec(spec.name)![0].toLowerCase();
      assert.ok(pkg.description.toLowerCase().includes(database), `package.json's description lacks ${database}`);
      assert.ok(pkg.keywords.includes(database), `package.json's keywords lack ${database}`);
    }
  });

  it("schema.json marks every secret field of the specs secret, nested ones included", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8"));
    for (const spec of SPECS) {
      const resource = schema.resources[`dbpasswords:index:${spec.name}`];
      for (const p of secretPaths(spec)) {
        const [head, nested] = p.split(".");
        if (spec.state && head in spec.state) continue; // kept in state, no part of the schema
        const top = resource.inputProperties[head] ?? resource.properties[head];
        const field = nested ? schema.types[top.$ref.replace("#/types/", "")].properties[nested] : top;
        if (!nested && resource.properties[head]) {
          assert.strictEqual(resource.properties[head].secret, true, `output ${spec.name}.${p} is not secret`);
        }
        assert.strictEqual(field?.secret, true, `${spec.name}.${p} is not secret in the schema`);
      }
      assert.ok(secretPaths(spec).includes("password"), `${spec.name}: password must be among the secrets`);
    }
  });

  it("each input's schema description is its documentation: meaning, then default", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8"));
    for (const spec of SPECS) {
      for (const [name, field] of Object.entries(spec.inputs)) {
        const described = schema.resources[`dbpasswords:index:${spec.name}`].inputProperties[name].description;
        assert.strictEqual(described, fieldDoc(field), `${spec.name}.${name}`);
        assert.match(described, /\n\n(Default: |Required\.)/, `${spec.name}.${name} says neither default nor required`);
      }
    }
  });
});
