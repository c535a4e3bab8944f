/**
 * Editor help: what a user sees when hovering a field of the resource arguments in a program.
 * The TypeScript language service is asked for the quick info of every field, nested ones
 * (`connection.*`, `auth.*`) included, in a program that imports the package as a user's
 * program does (the published declarations in dist/). The list of fields comes from the
 * zod schemas, so a new field without documentation fails here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { z } from "zod";
import { milvusInputsSchema } from "../../provider/milvus/schema";
import { geminiDbInputsSchema } from "../../provider/geminidb/schema";
import { cassandraInputsSchema } from "../../provider/cassandra/schema";
import { REPO_ROOT } from "../../harness/tools";

interface Field {
  path: string;
  children?: Field[];
}

/** The fields of an object schema, with the fields of object-valued (optional) fields. */
function fieldsOf(schema: z.ZodObject, prefix = ""): Field[] {
  return Object.entries(schema.shape).map(([key, value]) => {
    let inner: z.core.$ZodType = value as z.core.$ZodType;
    while (inner instanceof z.ZodOptional) inner = inner.unwrap() as z.core.$ZodType;
    const full = prefix + key;
    return inner instanceof z.ZodObject ? { path: full, children: fieldsOf(inner, `${full}.`) } : { path: full };
  });
}

/** An object literal naming every field; returns the literal and where each field's name starts. */
function literal(fields: Field[], out: { text: string; at: Map<string, number> }, indent = "  "): void {
  out.text += "{\n";
  for (const f of fields) {
    out.text += indent;
    out.at.set(f.path, out.text.length);
    out.text += `${f.path.split(".").pop()}: `;
    if (f.children) literal(f.children, out, indent + "  ");
    else out.text += "undefined as never";
    out.text += ",\n";
  }
  out.text += indent.slice(2) + "}";
}

/** The environment variable each field falls back to, which its help must name. */
const ENV: Record<string, RegExp> = {
  "connection.address": /MILVUS_URI/,
  "connection.username": /MILVUS_USER/,
  "connection.password": /MILVUS_PASSWORD/,
  "connection.token": /MILVUS_TOKEN/,
  region: /HW_REGION_NAME/,
  projectId: /HW_PROJECT_ID/,
  iamEndpoint: /HW_AUTH_URL/,
  auth: /HW_AUTH_TOKEN[\s\S]*HW_ACCESS_KEY[\s\S]*HW_USER_NAME/,
  "auth.token": /HW_AUTH_TOKEN/,
  "auth.accessKey": /HW_ACCESS_KEY/,
  "auth.secretKey": /HW_SECRET_KEY/,
  "auth.securityToken": /HW_SECURITY_TOKEN/,
  "auth.userName": /HW_USER_NAME/,
  "auth.password": /HW_PASSWORD/,
  "auth.domainName": /HW_DOMAIN_NAME/,
};
/** The same for CassandraRolePassword (its connection's fields have other variables than Milvus's). */
const CASSANDRA_ENV: Record<string, RegExp> = {
  "connection.address": /CASSANDRA_ADDRESS/,
  "connection.username": /CASSANDRA_USERNAME/,
  "connection.password": /CASSANDRA_PASSWORD/,
};

describe("editor help: quick info for every field of the resource arguments", () => {
  const cases: Array<{ type: string; fields: Field[]; env?: Record<string, RegExp> }> = [
    { type: "MilvusUserPasswordArgs", fields: fieldsOf(milvusInputsSchema) },
    { type: "GeminiDbAdminPasswordArgs", fields: fieldsOf(geminiDbInputsSchema) },
    { type: "CassandraRolePasswordArgs", fields: fieldsOf(cassandraInputsSchema), env: CASSANDRA_ENV },
  ];
  const file = path.join(REPO_ROOT, "test", "unit", "__editor_help_probe__.ts");
  const out = {
    text: 'import type { CassandraRolePasswordArgs, GeminiDbAdminPasswordArgs, MilvusUserPasswordArgs } from "pulumi-db-passwords";\n',
    at: new Map<string, number>(),
  };
  const starts: Record<string, Map<string, number>> = {};
  for (const c of cases) {
    out.text += `export const ${c.type.charAt(0).toLowerCase()}${c.type.slice(1)}: ${c.type} = `;
    out.at = new Map();
    literal(c.fields, out);
    out.text += ";\n";
    starts[c.type] = out.at;
  }
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => ({
      strict: true,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      types: ["node"],
    }),
    getScriptFileNames: () => [file],
    getScriptVersion: () => "1",
    getScriptSnapshot: (name) =>
      name === file
        ? ts.ScriptSnapshot.fromString(out.text)
        : fs.existsSync(name)
          ? ts.ScriptSnapshot.fromString(fs.readFileSync(name, "utf8"))
          : undefined,
    getCurrentDirectory: () => REPO_ROOT,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (name) => name === file || ts.sys.fileExists(name),
    readFile: (name) => (name === file ? out.text : ts.sys.readFile(name)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());

  it("the probe program, written against the published declarations, type-checks", () => {
    const diagnostics = [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)];
    assert.deepStrictEqual(
      diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
      [],
    );
  });

  for (const c of cases) {
    const all: Field[] = [];
    const walk = (fs: Field[]) => fs.forEach((f) => (all.push(f), f.children && walk(f.children)));
    walk(c.fields);
    it(`${c.type}: each of its ${all.length} fields shows documentation, its default and its environment variable`, () => {
      const problems: string[] = [];
      for (const f of all) {
        const info = service.getQuickInfoAtPosition(file, starts[c.type].get(f.path)!);
        const shown = ts.displayPartsToString(info?.displayParts);
        const doc = [
          ts.displayPartsToString(info?.documentation),
          ...(info?.tags ?? []).map((t) => ts.displayPartsToString(t.text)),
        ]
          .join("\n")
          .trim();
        const name = f.path.split(".").pop()!;
        if (!shown.includes(name)) problems.push(`${f.path}: quick info does not name the field (${shown})`);
        if (doc === "") problems.push(`${f.path}: no documentation`);
        else if (!/\b(Default|Required)\b/.test(doc)) problems.push(`${f.path}: does not say its default (${doc})`);
        const env = (c.env ?? ENV)[f.path];
        if (env && !env.test(doc)) problems.push(`${f.path}: does not name ${env} (${doc})`);
      }
      assert.deepStrictEqual(problems, []);
    });
  }
});
