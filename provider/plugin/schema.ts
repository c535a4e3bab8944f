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
  if (typeof type === "object") return { $ref: `#/types/${token(type.object)}` };
  return { type };
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
  return {
    description: spec.description,
    inputProperties: properties(spec.inputs, fieldDoc),
    requiredInputs: required(spec.inputs),
    properties: properties(spec.outputs, (f) => f.description),
    required: required(spec.outputs),
  };
}

/** What the schema takes from package.json. */
export interface PackageInfo {
  version: string;
  license: string;
  keywords: string[];
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
  return {
    name: PACKAGE,
    displayName: "DB Passwords",
    version: info.version,
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
        readme:
          "The Python SDK of the dbpasswords provider plugin (npm package pulumi-db-passwords): " +
          `${specs.map((s) => s.name).join(", ")}. The plugin itself comes with the npm package ` +
          "(bin/pulumi-resource-dbpasswords) or as a plugin archive; see the package's README.",
      },
      go: { generateResourceContainerTypes: true, respectSchemaVersion: true },
    },
  };
}
