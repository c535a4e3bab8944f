/**
 * The examples of the docs, made from one description each and the resource specs: every
 * example is written once here, as the resource, its arguments and its exports, and rendered
 * into TypeScript, Python, Go and YAML. `npm run gen-sdk` writes them between markers:
 *
 *   <!-- example:<Resource>:<mode> -->            all four languages, in the Registry's chooser
 *   <!-- example:<Resource>:<mode>:<language> --> one language, as a plain code block
 *   ...
 *   <!-- /example -->
 *
 * An argument or an export that the resource's spec does not declare fails the generator, so
 * an example cannot name a field that does not exist. test/unit/docs.test.ts type-checks the
 * TypeScript, compiles the Python and parses the Go and the YAML of every example.
 */
import { execFileSync } from "child_process";
import { FieldSpec, ResourceSpec, token } from "../../provider/shared/spec";

/**
 * An argument's value: a literal, a nested object, or a value the program reads from its stack
 * config (a secret one for passwords: programs keep them out of their source).
 */
export type ExampleValue =
  string | number | boolean | { $config: string; secret?: boolean } | { [key: string]: ExampleValue };

export interface Example {
  resource: string;
  /** The name of the resource in the program (`search-app`); its variable is the camelCase form. */
  name: string;
  args: Record<string, ExampleValue>;
  /** Stack outputs: export name → output of the resource. */
  exports: Record<string, string>;
  /** A line of comment above the resource, in every language. */
  comment?: string;
}

export const LANGUAGES = ["typescript", "python", "go", "yaml"] as const;
export type Language = (typeof LANGUAGES)[number];

const milvusConnection = {
  address: { $config: "milvusAddress" },
  username: "root",
  password: { $config: "milvusRootPassword", secret: true },
};
const cassandraConnection = {
  address: { $config: "cassandraAddress" },
  username: { $config: "cassandraUser" },
  password: { $config: "cassandraPassword", secret: true },
};
const calendar = {
  rotationSchedule: "0 2 * * 0#1",
  rotationTimeZone: "Europe/Berlin",
  rotationWindowMinutes: 120,
};
const gemini = { region: { $config: "region" }, instanceId: { $config: "instanceId" } };

/** Every example of the docs, by `<Resource>:<mode>`. */
export const EXAMPLES: Record<string, Example> = {
  "MilvusUserPassword:config": {
    resource: "MilvusUserPassword",
    name: "search-app",
    comment: "the password from secret config: a new value rotates it, the old one comes from state",
    args: {
      connection: milvusConnection,
      user: "search_app",
      password: { $config: "searchAppPassword", secret: true },
      createIfMissing: true,
    },
    exports: { passwordVerified: "passwordVerified" },
  },
  "MilvusUserPassword:trigger": {
    resource: "MilvusUserPassword",
    name: "reporting",
    comment: "no password: one is generated, and a new one on each change of rotationTrigger",
    args: {
      connection: milvusConnection,
      user: "reporting",
      createIfMissing: true,
      rotationTrigger: { $config: "rotation" },
    },
    exports: { password: "password", rotatedAt: "rotatedAt" },
  },
  "MilvusUserPassword:schedule": {
    resource: "MilvusUserPassword",
    name: "search-app",
    comment: "a new generated password in the first `pulumi up` 90 days after the last one",
    args: { connection: milvusConnection, user: "search_app", createIfMissing: true, rotateAfterDays: 90 },
    exports: { password: "password", nextRotationAt: "nextRotationAt" },
  },
  "MilvusUserPassword:pair": {
    resource: "MilvusUserPassword",
    name: "search",
    comment: "two users take turns: each rotation sets the user that is not active, then switches",
    args: {
      connection: milvusConnection,
      user: "search_blue",
      standbyUser: "search_green",
      createIfMissing: true,
      rotationTrigger: { $config: "rotation" },
    },
    exports: { activeUser: "activeUser", password: "password" },
  },
  "GeminiDbAdminPassword:config": {
    resource: "GeminiDbAdminPassword",
    name: "orders-db",
    comment: "credentials from HW_ACCESS_KEY and HW_SECRET_KEY (or a token, or an IAM password)",
    args: { ...gemini, password: { $config: "rwuserPassword", secret: true } },
    exports: { engine: "engine", rotatedAt: "rotatedAt" },
  },
  "GeminiDbAdminPassword:trigger": {
    resource: "GeminiDbAdminPassword",
    name: "orders-db",
    comment: "no password: one is generated, and a new one on each change of rotationTrigger",
    args: { ...gemini, rotationTrigger: { $config: "rotation" } },
    exports: { password: "password" },
  },
  "GeminiDbAdminPassword:schedule": {
    resource: "GeminiDbAdminPassword",
    name: "orders-db",
    comment: "a new generated password at 02:00 to 04:00 Berlin time on the first Sunday of each month",
    args: { ...gemini, ...calendar },
    exports: { nextRotationAt: "nextRotationAt" },
  },
  "GeminiDbAdminPassword:cql": {
    resource: "GeminiDbAdminPassword",
    name: "orders-db",
    comment: "each reset proved by CQL logins as rwuser on a node the pipeline reaches (port 8635)",
    args: {
      ...gemini,
      engine: "cassandra",
      password: { $config: "rwuserPassword", secret: true },
      cql: { address: { $config: "cqlAddress" }, tls: true, caCertificate: { $config: "caCertificate" } },
    },
    exports: { passwordVerified: "passwordVerified" },
  },
  "GeminiDbAdminPassword:redis": {
    resource: "GeminiDbAdminPassword",
    name: "cache-db",
    comment: "each reset proved by AUTH and PING as rwuser, over TLS as on new Redis instances",
    args: {
      ...gemini,
      engine: "redis",
      rotationTrigger: { $config: "rotation" },
      redis: { address: { $config: "redisAddress" }, caCertificate: { $config: "caCertificate" } },
    },
    exports: { passwordVerified: "passwordVerified", password: "password" },
  },
  "GeminiDbAdminPassword:influx": {
    resource: "GeminiDbAdminPassword",
    name: "metrics-db",
    comment: "each reset proved by SHOW DATABASES as rwuser over InfluxDB's HTTP API",
    args: {
      ...gemini,
      engine: "influxdb",
      password: { $config: "rwuserPassword", secret: true },
      influx: { address: { $config: "influxAddress" } },
    },
    exports: { passwordVerified: "passwordVerified" },
  },
  "GeminiDbAdminPassword:mongo": {
    resource: "GeminiDbAdminPassword",
    name: "docs-db",
    comment: "each reset proved by a SCRAM login as rwuser (authSource=admin) and ping",
    args: {
      ...gemini,
      engine: "mongodb",
      password: { $config: "rwuserPassword", secret: true },
      mongo: { address: { $config: "mongoAddress" } },
    },
    exports: { passwordVerified: "passwordVerified" },
  },
  "CassandraRolePassword:config": {
    resource: "CassandraRolePassword",
    name: "orders-app",
    comment: "the role's password from secret config; the role is created if missing (never a superuser)",
    args: {
      connection: cassandraConnection,
      role: "orders_app",
      password: { $config: "ordersAppPassword", secret: true },
      createIfMissing: true,
    },
    exports: { passwordVerified: "passwordVerified" },
  },
  "CassandraRolePassword:trigger": {
    resource: "CassandraRolePassword",
    name: "reports",
    comment: "no password: one is generated, and a new one on each change of rotationTrigger",
    args: {
      connection: cassandraConnection,
      role: "reports",
      createIfMissing: true,
      rotationTrigger: { $config: "rotation" },
    },
    exports: { password: "password", rotatedAt: "rotatedAt" },
  },
  "CassandraRolePassword:schedule": {
    resource: "CassandraRolePassword",
    name: "reports",
    comment: "a new generated password at 02:00 to 04:00 Berlin time on the first Sunday of each month",
    args: { connection: cassandraConnection, role: "reports", createIfMissing: true, ...calendar },
    exports: { password: "password", nextRotationAt: "nextRotationAt" },
  },
  "CassandraRolePassword:pair": {
    resource: "CassandraRolePassword",
    name: "orders",
    comment: "two roles take turns, with the same granted roles and permissions",
    args: {
      connection: cassandraConnection,
      role: "orders_blue",
      standbyRole: "orders_green",
      createIfMissing: true,
      rotationTrigger: { $config: "rotation" },
    },
    exports: { activeRole: "activeRole", password: "password" },
  },
};

const isConfig = (v: ExampleValue): v is { $config: string; secret?: boolean } =>
  typeof v === "object" && "$config" in v;
const isObject = (v: ExampleValue): v is { [key: string]: ExampleValue } => typeof v === "object" && !isConfig(v);
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const pascal = (name: string) => name[0].toUpperCase() + name.slice(1);
const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The config keys an example reads, with whether each is secret, in order of first use. */
export function configKeys(value: ExampleValue, out = new Map<string, boolean>()): Map<string, boolean> {
  if (isConfig(value)) out.set(value.$config, value.secret ?? false);
  else if (isObject(value)) for (const v of Object.values(value)) configKeys(v, out);
  return out;
}

/**
 * Fails unless every argument of `ex` is an input of its resource (nested ones: a property of
 * the input's object type) and every export an output or an input: what keeps the examples to
 * the specs.
 */
export function checkExample(key: string, ex: Example, spec: ResourceSpec): void {
  const walk = (args: Record<string, ExampleValue>, fields: Record<string, FieldSpec>, at: string) => {
    for (const [name, value] of Object.entries(args)) {
      const field = fields[name];
      if (!field) throw new Error(`example ${key}: ${at}${name} is no input of ${spec.name}`);
      if (isObject(value)) {
        if (typeof field.type !== "object" || !("object" in field.type))
          throw new Error(`example ${key}: ${at}${name} is no object`);
        walk(value, spec.types[field.type.object].properties, `${at}${name}.`);
      }
    }
  };
  walk(ex.args, spec.inputs, "");
  for (const output of Object.values(ex.exports)) {
    if (!(output in spec.outputs) && !(output in spec.inputs))
      throw new Error(`example ${key}: ${output} is no output of ${spec.name}`);
  }
}

/** The object type of an input of `spec` at a path of argument names (for Python's and Go's `...Args`). */
function objectType(spec: ResourceSpec, path: string[]): string {
  let fields = spec.inputs;
  let type = "";
  for (const name of path) {
    const t = fields[name].type;
    if (typeof t !== "object" || !("object" in t)) throw new Error(`${spec.name}.${path.join(".")} is no object`);
    type = t.object;
    fields = spec.types[type].properties;
  }
  return type;
}

function typescript(ex: Example): string {
  const value = (v: ExampleValue, depth: number): string => {
    if (isConfig(v)) return `config.${v.secret ? "requireSecret" : "require"}(${JSON.stringify(v.$config)})`;
    if (isObject(v)) {
      const pad = "  ".repeat(depth + 1);
      const lines = Object.entries(v).map(([k, x]) => `${pad}${k}: ${value(x, depth + 1)},`);
      return `{\n${lines.join("\n")}\n${"  ".repeat(depth)}}`;
    }
    return JSON.stringify(v);
  };
  const variable = camel(ex.name);
  const exports = Object.entries(ex.exports).map(([name, out]) => `export const ${name} = ${variable}.${out};`);
  return [
    'import * as pulumi from "@pulumi/pulumi";',
    `import { ${ex.resource} } from "pulumi-db-passwords";`,
    "",
    "const config = new pulumi.Config();",
    ...(ex.comment ? [`// ${ex.comment}`] : []),
    `const ${variable} = new ${ex.resource}(${JSON.stringify(ex.name)}, ${value(ex.args, 0)});`,
    ...exports,
  ].join("\n");
}

function python(ex: Example, spec: ResourceSpec): string {
  const value = (v: ExampleValue, depth: number, path: string[]): string => {
    if (isConfig(v)) return `config.${v.secret ? "require_secret" : "require"}(${JSON.stringify(v.$config)})`;
    if (isObject(v)) {
      const pad = "    ".repeat(depth + 1);
      const lines = Object.entries(v).map(([k, x]) => `${pad}${snake(k)}=${value(x, depth + 1, [...path, k])},`);
      return `dbpasswords.${objectType(spec, path)}Args(\n${lines.join("\n")}\n${"    ".repeat(depth)})`;
    }
    if (typeof v === "boolean") return v ? "True" : "False";
    return JSON.stringify(v);
  };
  const variable = snake(camel(ex.name));
  const args = Object.entries(ex.args).map(([k, v]) => `    ${snake(k)}=${value(v, 1, [k])},`);
  const exports = Object.entries(ex.exports).map(
    ([name, out]) => `pulumi.export(${JSON.stringify(name)}, ${variable}.${snake(out)})`,
  );
  return [
    "import pulumi",
    "import pulumi_dbpasswords as dbpasswords",
    "",
    "config = pulumi.Config()",
    ...(ex.comment ? [`# ${ex.comment}`] : []),
    `${variable} = dbpasswords.${ex.resource}(`,
    `    ${JSON.stringify(ex.name)},`,
    ...args,
    ")",
    ...exports,
  ].join("\n");
}

/** The Go program, as gofmt prints it (gofmt aligns the values of a literal's fields). */
function go(ex: Example, spec: ResourceSpec): string {
  const value = (v: ExampleValue, depth: number, path: string[]): string => {
    if (isConfig(v)) {
      const key = JSON.stringify(v.$config);
      return v.secret ? `cfg.RequireSecret(${key})` : `pulumi.String(cfg.Require(${key}))`;
    }
    if (isObject(v)) {
      const pad = "\t".repeat(depth + 1);
      const lines = Object.entries(v).map(([k, x]) => `${pad}${pascal(k)}: ${value(x, depth + 1, [...path, k])},`);
      return `&dbpasswords.${objectType(spec, path)}Args{\n${lines.join("\n")}\n${"\t".repeat(depth)}}`;
    }
    if (typeof v === "boolean") return `pulumi.Bool(${v})`;
    if (typeof v === "number") return `pulumi.Int(${v})`;
    return `pulumi.String(${JSON.stringify(v)})`;
  };
  const variable = camel(ex.name);
  const args = Object.entries(ex.args).map(([k, v]) => `\t\t\t${pascal(k)}: ${value(v, 3, [k])},`);
  const exports = Object.entries(ex.exports).map(
    ([name, out]) => `\t\tctx.Export(${JSON.stringify(name)}, ${variable}.${pascal(out)})`,
  );
  const source = [
    "package main",
    "",
    "import (",
    '\t"github.com/pulumi-db-passwords/pulumi-db-passwords/sdk/go/dbpasswords"',
    '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
    '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"',
    ")",
    "",
    "func main() {",
    "\tpulumi.Run(func(ctx *pulumi.Context) error {",
    '\t\tcfg := config.New(ctx, "")',
    ...(ex.comment ? [`\t\t// ${ex.comment}`] : []),
    `\t\t${variable}, err := dbpasswords.New${ex.resource}(ctx, ${JSON.stringify(ex.name)}, ` +
      `&dbpasswords.${ex.resource}Args{`,
    ...args,
    "\t\t})",
    "\t\tif err != nil {",
    "\t\t\treturn err",
    "\t\t}",
    ...exports,
    "\t\treturn nil",
    "\t})",
    "}",
    "",
  ].join("\n");
  return gofmt(source).trimEnd();
}

/** A YAML scalar: plain where YAML reads it back as the same string, quoted otherwise. */
function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  const plain = /^[A-Za-z_/][\w./-]*$/.test(v) && !/^(true|false|yes|no|on|off|null|~)$/i.test(v);
  return plain ? v : JSON.stringify(v);
}

function yaml(ex: Example): string {
  const value = (v: ExampleValue, depth: number): string => {
    if (isConfig(v)) return ` \${${v.$config}}`;
    if (isObject(v))
      return Object.entries(v)
        .map(([k, x]) => `\n${"  ".repeat(depth)}${k}:${value(x, depth + 1)}`)
        .join("");
    return ` ${yamlScalar(v)}`;
  };
  const config = [...configKeys(ex.args)].map(
    ([k, secret]) => `  ${k}:\n    type: string${secret ? "\n    secret: true" : ""}`,
  );
  const exports = Object.entries(ex.exports).map(([name, out]) => `  ${name}: \${${ex.name}.${out}}`);
  return [
    ...(config.length ? ["config:", ...config] : []),
    "resources:",
    ...(ex.comment ? [`  # ${ex.comment}`] : []),
    `  ${ex.name}:`,
    `    type: ${token(ex.resource)}`,
    `    properties:${value(ex.args, 3)}`,
    ...(exports.length ? ["outputs:", ...exports] : []),
  ].join("\n");
}

/** The program of an example in one language. */
export function render(ex: Example, spec: ResourceSpec, language: Language): string {
  switch (language) {
    case "typescript":
      return typescript(ex);
    case "python":
      return python(ex, spec);
    case "go":
      return go(ex, spec);
    case "yaml":
      return yaml(ex);
  }
}

/** gofmt's form of a Go source (it aligns what a hand cannot be trusted to). */
function gofmt(source: string): string {
  for (const bin of ["gofmt", "/usr/local/go/bin/gofmt"]) {
    try {
      return execFileSync(bin, [], { input: source, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new Error(`gofmt refused a generated example: ${(err as { stderr?: string }).stderr ?? err}`, {
        cause: err,
      });
    }
  }
  throw new Error("gofmt is not on PATH: the Go toolchain is needed to generate the docs' Go examples");
}

const fence = (language: Language, code: string) => `\`\`\`${language}\n${code}\n\`\`\``;

/** The text between an example's markers: one language's block, or all four in the Registry's chooser. */
export function exampleBlock(key: string, specs: ResourceSpec[], language?: Language): string {
  const ex = EXAMPLES[key];
  if (!ex) throw new Error(`the docs name an example ${key}, which is not in scripts/gen/registry.ts`);
  const spec = specs.find((s) => s.name === ex.resource);
  if (!spec) throw new Error(`example ${key}: ${ex.resource} is no resource`);
  checkExample(key, ex, spec);
  if (language) return fence(language, render(ex, spec, language));
  return [
    `{{< chooser language "${LANGUAGES.join(",")}" >}}`,
    ...LANGUAGES.flatMap((l) => [
      `{{% choosable language ${l} %}}`,
      "",
      fence(l, render(ex, spec, l)),
      "",
      "{{% /choosable %}}",
    ]),
    "{{< /chooser >}}",
  ].join("\n");
}

const MARKER = /<!-- example:(\w+:[\w-]+)(?::(\w+))? -->\n[\s\S]*?<!-- \/example -->/g;

/** `text` with every marked example made anew; throws on a marker naming no example or language. */
export function withExamples(text: string, specs: ResourceSpec[]): string {
  return text.replace(MARKER, (_all, key: string, language: string | undefined) => {
    if (language !== undefined && !(LANGUAGES as readonly string[]).includes(language))
      throw new Error(`example ${key}: no language ${language}`);
    const open = `<!-- example:${key}${language ? `:${language}` : ""} -->`;
    return `${open}\n${exampleBlock(key, specs, language as Language | undefined)}\n<!-- /example -->`;
  });
}

/** The examples a text marks, as `<Resource>:<mode>` keys. */
export function markedExamples(text: string): string[] {
  return [...text.matchAll(MARKER)].map((m) => m[1]);
}
