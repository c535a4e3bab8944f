/**
 * The plugin's package schema, built from the resource specs (provider/shared/spec.ts): what
 * `GetSchema` answers, what `npm run gen-sdk` writes to schema.json and gives Pulumi's code
 * generators for the Python and Go SDKs, and what the YAML language host reads to type-check
 * a program and to mark secret outputs.
 */
import { FieldSpec, FieldType, PACKAGE, ResourceSpec, fieldDoc, token } from "../shared/spec";

type Json = Record<string, unknown>;

/**
 * PyPI `pulumi`, the Python SDK that Python programs run through the plugin are tested with
 * (scripts/install-python.sh installs it); the generated SDK requires at least this release.
 */
export const PYTHON_PULUMI_TESTED = "3.272.0";

function typeOf(type: FieldType): Json {
  if (typeof type !== "object") return { type };
  if ("array" in type) return { type: "array", items: typeOf(type.array) };
  return { $ref: `#/types/${token(type.object)}` };
}

function property(field: FieldSpec, doc: string): Json {
  return {
    ...typeOf(field.type),
    description: doc,
    ...(field.secret ? { secret: true } : {}),
    ...(field.replaces ? { willReplaceOnChanges: true } : {}),
  };
}

function properties(fields: Record<string, FieldSpec>, doc: (f: FieldSpec) => string): Json {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, property(f, doc(f))]));
}

const required = (fields: Record<string, FieldSpec>) =>
  Object.entries(fields)
    .filter(([, f]) => f.required)
    .map(([k]) => k);

/**
 * One resource's entry under `resources`. Its outputs are the ones the TypeScript class
 * declares (state keeps the inputs too, for the lifecycle, but a program reads them from its
 * own code).
 */
function resourceSchema(spec: ResourceSpec): Json {
  const example = EXAMPLES[spec.name];
  return {
    description: example
      ? `${spec.description}\n\n${examplesSection(spec.name, example, objectTypesOf(spec))}`
      : spec.description,
    inputProperties: properties(spec.inputs, fieldDoc),
    requiredInputs: required(spec.inputs),
    properties: properties(spec.outputs, (f) => f.description),
    required: required(spec.outputs),
  };
}

/** The object type of each field that has one, by field name (for the Go example's `&<Type>Args{}`). */
function objectTypesOf(spec: ResourceSpec): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = [spec.inputs, ...Object.values(spec.types).map((t) => t.properties)];
  for (const group of fields)
    for (const [k, f] of Object.entries(group))
      if (typeof f.type === "object" && "object" in f.type) out[k] = f.type.object;
  return out;
}

/** What the schema takes from package.json. */
export interface PackageInfo {
  version: string;
  license: string;
  keywords: string[];
  /** package.json's `repository`: the project's GitHub repository (the Go module path, the release page). */
  repository?: string | { url: string };
  /**
   * Where the CLI downloads the plugin from (`pluginDownloadURL`): set in the plugin archive's
   * package.json by `npm run release` when PDP_PLUGIN_DOWNLOAD_URL names another address, so
   * that the schema the plugin serves says what the SDKs say. npm's convention for Pulumi packages.
   */
  pulumi?: { server?: string };
}

/** The project's repository as `https://github.com/<org>/<repo>` (package.json may say `git+https://….git`). */
export function repositoryUrl(info: PackageInfo): string | undefined {
  const raw = typeof info.repository === "string" ? info.repository : info.repository?.url;
  if (!raw) return undefined;
  return raw
    .replace(/^git\+/, "")
    .replace(/^github:/, "https://github.com/")
    .replace(/\.git$/, "");
}

/**
 * The plugin's download address. By default the GitHub releases of the project's repository, in
 * the CLI's `github://api.github.com/<org>/<repo>` form: the repository is named because it is not
 * `pulumi-dbpasswords`, the CLI's guess for a plugin named dbpasswords. The CLI then fetches the
 * release asset `pulumi-resource-dbpasswords-v<version>-<os>-<arch>.tar.gz` of tag `v<version>`.
 */
export function pluginDownloadUrl(info: PackageInfo): string | undefined {
  if (info.pulumi?.server) return info.pulumi.server;
  const m = /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(repositoryUrl(info) ?? "");
  return m ? `github://api.github.com/${m[1]}/${m[2]}` : undefined;
}

/**
 * The package's description, which the Python SDK (pyproject.toml) and the Go SDK (doc.go)
 * carry: it names every resource of `specs`, so that a new one is listed without an edit here.
 */
export function packageDescription(specs: ResourceSpec[]): string {
  const names = specs.map((s) => s.name);
  const list = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names.join("");
  return (
    `Pulumi resources that set and rotate database passwords through Pulumi's create/diff/update lifecycle: ${list}. ` +
    "The provider plugin of the npm package pulumi-db-passwords, for Python, Go and YAML programs."
  );
}

/** The package schema for `specs` (sorted keys where order carries no meaning). */
export function packageSchema(specs: ResourceSpec[], info: PackageInfo): Json {
  const types: Json = {};
  for (const spec of specs) {
    for (const [name, type] of Object.entries(spec.types)) {
      types[token(name)] = {
        type: "object",
        description: type.description,
        properties: properties(type.properties, fieldDoc),
        required: required(type.properties),
      };
    }
  }
  const repository = repositoryUrl(info);
  const server = pluginDownloadUrl(info);
  return {
    name: PACKAGE,
    displayName: "DB Passwords",
    version: info.version,
    ...(repository ? { repository, homepage: repository } : {}),
    ...(server ? { pluginDownloadURL: server } : {}),
    description: packageDescription(specs),
    keywords: [...info.keywords, "category/database", "kind/native"],
    license: info.license,
    publisher: "pulumi-db-passwords",
    meta: { moduleFormat: "(.*)", supportPack: true },
    config: {},
    provider: { description: "The dbpasswords provider. It takes no configuration: each resource says where to go." },
    types,
    resources: Object.fromEntries(specs.map((s) => [token(s.name), resourceSchema(s)])),
    language: {
      python: {
        respectSchemaVersion: true,
        pyproject: { enabled: true },
        // The oldest PyPI pulumi that Python programs are tested with through the plugin.
        requires: { pulumi: `>=${PYTHON_PULUMI_TESTED},<4.0.0` },
        readme: pythonReadme(specs, repository),
      },
      go: { generateResourceContainerTypes: true, respectSchemaVersion: true },
    },
  };
}

/**
 * An example's argument value: a literal, a nested object, or a value the program reads from
 * its stack config (secret or not), as a program keeps passwords out of its source.
 */
type ExampleValue = string | number | boolean | { $config: string; secret?: boolean } | { [key: string]: ExampleValue };

interface Example {
  /** What the example shows, the heading of the registry's example. */
  title: string;
  /** The resource's name in the program. */
  name: string;
  args: Record<string, ExampleValue>;
}

/**
 * One example per resource, rendered into TypeScript, Python, Go and YAML (examplesSection) for
 * the resource's description in the schema, as the Pulumi Registry shows them; the Python and Go
 * generators keep the block of their language in the docstrings.
 */
export const EXAMPLES: Record<string, Example> = {
  MilvusUserPassword: {
    title: "A Milvus user's password from stack config",
    name: "search-app",
    args: {
      connection: {
        address: "milvus.internal:19530",
        username: "root",
        password: { $config: "milvusRootPassword", secret: true },
      },
      user: "search_app",
      password: { $config: "searchAppPassword", secret: true },
      createIfMissing: true,
    },
  },
  GeminiDbAdminPassword: {
    title: "The rwuser password of a GeminiDB instance (credentials from HW_ACCESS_KEY and HW_SECRET_KEY)",
    name: "orders-db",
    args: {
      region: "eu-west-101",
      projectId: { $config: "projectId" },
      instanceId: { $config: "instanceId" },
      password: { $config: "ordersRwuserPassword", secret: true },
    },
  },
  CassandraRolePassword: {
    title: "A Cassandra role's password, the role created if missing",
    name: "orders-app",
    args: {
      connection: {
        address: "cassandra.internal:9042",
        username: "cassandra",
        password: { $config: "cassandraAdminPassword", secret: true },
      },
      role: "orders_app",
      password: { $config: "ordersAppPassword", secret: true },
      createIfMissing: true,
    },
  },
};

const isConfig = (v: ExampleValue): v is { $config: string; secret?: boolean } =>
  typeof v === "object" && "$config" in v;
const isObject = (v: ExampleValue): v is { [key: string]: ExampleValue } => typeof v === "object" && !isConfig(v);
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const pascal = (name: string) => name[0].toUpperCase() + name.slice(1);

/** The config keys an example reads, in order of first use. */
function configKeys(value: ExampleValue, out = new Map<string, boolean>()): Map<string, boolean> {
  if (isConfig(value)) out.set(value.$config, value.secret ?? false);
  else if (isObject(value)) for (const v of Object.values(value)) configKeys(v, out);
  return out;
}

const indent = (depth: number, unit = "    ") => unit.repeat(depth);

function typescript(resource: string, ex: Example): string {
  const value = (v: ExampleValue, depth: number): string => {
    if (isConfig(v)) return `config.${v.secret ? "requireSecret" : "require"}(${JSON.stringify(v.$config)})`;
    if (isObject(v)) {
      const lines = Object.entries(v).map(([k, x]) => `${indent(depth + 1, "  ")}${k}: ${value(x, depth + 1)},`);
      return `{\n${lines.join("\n")}\n${indent(depth, "  ")}}`;
    }
    return JSON.stringify(v);
  };
  return [
    'import * as pulumi from "@pulumi/pulumi";',
    `import { ${resource} } from "pulumi-db-passwords";`,
    "",
    "const config = new pulumi.Config();",
    `new ${resource}(${JSON.stringify(ex.name)}, ${value(ex.args, 0)});`,
  ].join("\n");
}

function python(resource: string, ex: Example): string {
  const value = (v: ExampleValue, depth: number): string => {
    if (isConfig(v)) return `config.${v.secret ? "require_secret" : "require"}(${JSON.stringify(v.$config)})`;
    if (isObject(v)) {
      const lines = Object.entries(v).map(([k, x]) => `${indent(depth + 1)}"${snake(k)}": ${value(x, depth + 1)},`);
      return `{\n${lines.join("\n")}\n${indent(depth)}}`;
    }
    if (typeof v === "boolean") return v ? "True" : "False";
    return JSON.stringify(v);
  };
  const args = Object.entries(ex.args).map(([k, v]) => `    ${snake(k)}=${value(v, 1)},`);
  return [
    "import pulumi",
    "import pulumi_dbpasswords as dbpasswords",
    "",
    "config = pulumi.Config()",
    `dbpasswords.${resource}(`,
    `    ${JSON.stringify(ex.name)},`,
    ...args,
    ")",
  ].join("\n");
}

function go(resource: string, ex: Example, types: Record<string, string>): string {
  const value = (v: ExampleValue, depth: number, type?: string): string => {
    if (isConfig(v)) {
      const key = JSON.stringify(v.$config);
      return v.secret ? `cfg.RequireSecret(${key})` : `pulumi.String(cfg.Require(${key}))`;
    }
    if (isObject(v)) {
      const lines = Object.entries(v).map(
        ([k, x]) => `${indent(depth + 1, "\t")}${pascal(k)}: ${value(x, depth + 1, types[k])},`,
      );
      return `&dbpasswords.${type}Args{\n${lines.join("\n")}\n${indent(depth, "\t")}}`;
    }
    if (typeof v === "boolean") return `pulumi.Bool(${v})`;
    if (typeof v === "number") return `pulumi.Int(${v})`;
    return `pulumi.String(${JSON.stringify(v)})`;
  };
  const usesConfig = configKeys(ex.args).size > 0;
  return [
    "package main",
    "",
    "import (",
    '\t"github.com/pulumi-db-passwords/pulumi-db-passwords/sdk/go/dbpasswords"',
    '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
    ...(usesConfig ? ['\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"'] : []),
    ")",
    "",
    "func main() {",
    "\tpulumi.Run(func(ctx *pulumi.Context) error {",
    ...(usesConfig ? ['\t\tcfg := config.New(ctx, "")'] : []),
    `\t\t_, err := dbpasswords.New${resource}(ctx, ${JSON.stringify(ex.name)}, ${value(ex.args, 2, resource)})`,
    "\t\treturn err",
    "\t})",
    "}",
  ].join("\n");
}

function yaml(resource: string, ex: Example): string {
  const value = (v: ExampleValue, depth: number): string => {
    if (isConfig(v)) return ` \${${v.$config}}`;
    if (isObject(v))
      return Object.entries(v)
        .map(([k, x]) => `\n${indent(depth, "  ")}${k}:${value(x, depth + 1)}`)
        .join("");
    return ` ${typeof v === "string" ? JSON.stringify(v) : String(v)}`;
  };
  const config = [...configKeys(ex.args)].map(
    ([k, secret]) => `  ${k}:\n    type: string${secret ? "\n    secret: true" : ""}`,
  );
  return [
    ...(config.length ? ["config:", ...config] : []),
    "resources:",
    `  ${ex.name}:`,
    `    type: ${token(resource)}`,
    `    properties:${value(ex.args, 3)}`,
  ].join("\n");
}

/** The registry's example section (`{{% examples %}}`) of one resource, in four languages. */
export function examplesSection(resource: string, ex: Example, objectTypes: Record<string, string> = {}): string {
  const fence = (lang: string, code: string) => `\`\`\`${lang}\n${code}\n\`\`\``;
  return [
    "{{% examples %}}",
    "## Example Usage",
    "{{% example %}}",
    `### ${ex.title}`,
    "",
    fence("typescript", typescript(resource, ex)),
    fence("python", python(resource, ex)),
    fence("go", go(resource, ex, objectTypes)),
    fence("yaml", yaml(resource, ex)),
    "{{% /example %}}",
    "{{% /examples %}}",
  ].join("\n");
}

/** The PyPI page of the Python SDK: install, where the plugin comes from, one example per resource. */
function pythonReadme(specs: ResourceSpec[], repository: string | undefined): string {
  const lines = [
    "# pulumi_dbpasswords",
    "",
    "Pulumi resources that set and rotate database passwords: " + `${specs.map((s) => s.name).join(", ")}.`,
    "The Python SDK of the dbpasswords provider plugin" + (repository ? ` (${repository})` : "") + ".",
    "",
    "## Install",
    "",
    "```sh",
    "pip install pulumi_dbpasswords",
    "```",
    "",
    "On the first `pulumi up` the Pulumi CLI downloads and installs the matching plugin",
    "(`pulumi-resource-dbpasswords`) from the project's release; it runs on Node.js 20 or later,",
    "which must be on `PATH`. Without network access, install the plugin once from its archive:",
    "`pulumi plugin install resource dbpasswords <version> --file <archive>`, the archive",
    "`pulumi-resource-dbpasswords-v<version>-<os>-<arch>.tar.gz` of the release.",
  ];
  for (const spec of specs) {
    const ex = EXAMPLES[spec.name];
    if (!ex) continue;
    lines.push("", `## ${spec.name}`, "", spec.description, "", "```python", python(spec.name, ex), "```");
  }
  return lines.join("\n");
}
