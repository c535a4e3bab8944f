/**
 * `npm run gen-sdk`: everything made from the resource specs (provider/<resource>/spec.ts),
 * written into the repository to be committed:
 *
 * - provider/<resource>/args.ts, the documented argument interfaces of the TypeScript classes;
 * - schema.json, the plugin's package schema (the plugin serves the same, built at run time);
 * - the field tables and the examples of the docs (GENERATED_PAGES: the Registry's pages and the
 *   README), between their markers (scripts/gen/readme.ts, scripts/gen/registry.ts);
 * - sdk/python and sdk/go, by Pulumi's own code generators (scripts/codegen) from schema.json,
 *   with the PyPI README where pyproject.toml looks for it (sdk/python/README.md).
 *
 * `test/unit/generated.test.ts` fails when a committed file differs from what this makes.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { geminiDbSpec } from "../provider/geminidb/spec";
import { milvusSpec } from "../provider/milvus/spec";
import { cassandraSpec } from "../provider/cassandra/spec";
import { packageSchema } from "../provider/plugin/schema";
import { SPECS } from "../provider/plugin/resources";
import { PACKAGE, type ResourceSpec } from "../provider/shared/spec";
import { argsSource } from "./gen/typescript";
import { withFieldTables } from "./gen/readme";
import { withExamples } from "./gen/registry";

const ROOT = path.resolve(__dirname, "..");

/**
 * Each resource's spec with its folder, where its args.ts goes (and its provider and operations
 * modules are, which the package tests look for in dist/). Every spec of SPECS has one: a unit
 * test holds the two lists equal.
 */
export const RESOURCE_DIRS: Array<{ spec: ResourceSpec; dir: string }> = [
  { spec: milvusSpec, dir: "provider/milvus" },
  { spec: geminiDbSpec, dir: "provider/geminidb" },
  { spec: cassandraSpec, dir: "provider/cassandra" },
];

export const SDK_LANGUAGES = ["python", "go"] as const;

/** The pages whose field tables and examples are made from the specs. */
export const GENERATED_PAGES = ["README.md", "docs/_index.md", "docs/installation-configuration.md"];

/** The generated text files other than the SDKs: repository path → content. */
export function generatedFiles(): Map<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const files = new Map<string, string>();
  for (const { spec, dir } of RESOURCE_DIRS) files.set(`${dir}/args.ts`, argsSource(spec, `${dir}/spec.ts`));
  files.set("schema.json", `${JSON.stringify(packageSchema(SPECS, pkg), null, 2)}\n`);
  for (const page of GENERATED_PAGES) {
    const text = fs.readFileSync(path.join(ROOT, page), "utf8");
    files.set(page, withExamples(withFieldTables(text, SPECS), SPECS));
  }
  return files;
}

/**
 * Generates the SDK of `language` from `schemaFile` into `outDir` with Pulumi's generators. The
 * Python generator writes the PyPI README into the package folder, while the pyproject.toml it
 * writes names README.md beside itself (setuptools only warns when that file is missing, and the
 * package goes out without a description): a copy goes there, as Pulumi's providers do in their builds.
 */
export function generateSdk(codegen: string, schemaFile: string, language: string, outDir: string): void {
  execFileSync(codegen, [schemaFile, language, outDir], { stdio: ["ignore", "inherit", "inherit"] });
  if (language === "python") {
    fs.copyFileSync(path.join(outDir, `pulumi_${PACKAGE}`, "README.md"), path.join(outDir, "README.md"));
  }
}

function main(): void {
  const files = generatedFiles();
  for (const [file, text] of files) fs.writeFileSync(path.join(ROOT, file), text);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { pulumiBin } = require("../harness/tools") as typeof import("../harness/tools");
  const codegen = path.join(pulumiBin(), "pulumi-dbpasswords-codegen");
  for (const language of SDK_LANGUAGES) {
    generateSdk(codegen, path.join(ROOT, "schema.json"), language, path.join(ROOT, "sdk", language));
  }
  console.log(`[gen-sdk] wrote ${[...files.keys(), ...SDK_LANGUAGES.map((l) => `sdk/${l}`)].join(", ")}`);
}

if (require.main === module) main();
