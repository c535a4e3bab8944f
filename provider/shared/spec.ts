/**
 * How a resource declares its fields, once: name, type, secretness, whether a change replaces
 * the resource, and the text a user reads (meaning and default). From these declarations come
 * the documented argument interfaces of the TypeScript classes (`args.ts`, editor hover), the
 * plugin's package schema (and so the Python and Go SDKs and their docstrings), the tables of
 * the README, and which values the plugin keeps secret. `npm run gen-sdk` writes the generated
 * files; a test fails when a committed one differs from what these declarations give.
 *
 * Nothing here validates: each resource's zod schema does (`schema.ts`), and a type-level
 * check holds the schema and the generated interfaces to the same fields and types.
 */

/** A field's type: a scalar, or an object type of the same resource (`types`). */
export type FieldType = "string" | "integer" | "boolean" | { object: string };

export interface FieldSpec {
  type: FieldType;
  /** What the field means, in Markdown; what the editor, the schema and the README show. */
  description: string;
  /** What happens when it is omitted, in Markdown ("none", "15000", "the MILVUS_URI variable"). */
  default?: string;
  /** A required input (outputs: always present in state). */
  required?: boolean;
  /** Kept secret: in state, in the plugin's answers, in every SDK. */
  secret?: boolean;
  /** A change replaces the resource (a new user, a new instance). */
  replaces?: boolean;
}

export interface ObjectTypeSpec {
  description: string;
  properties: Record<string, FieldSpec>;
}

export interface ResourceSpec {
  /** The class name, e.g. "MilvusUserPassword"; the plugin's type token is dbpasswords:index:<name>. */
  name: string;
  description: string;
  /** The arguments a program gives. */
  inputs: Record<string, FieldSpec>;
  /**
   * The outputs the resource declares, with their own text. State also keeps every input under
   * its name; an output named like an input (say `user`) documents that output.
   */
  outputs: Record<string, FieldSpec>;
  /**
   * What the resource keeps in state for its own use and declares as no output (say, the
   * password the next rotation needs as its old one). Secret ones stay secret in state.
   */
  state?: Record<string, FieldSpec>;
  /** Object types the fields refer to, by name (e.g. "MilvusConnection"). */
  types: Record<string, ObjectTypeSpec>;
}

/** The package name of the plugin and of its type tokens. */
export const PACKAGE = "dbpasswords";

/** The type token of a resource or an object type in the plugin's schema. */
export function token(name: string): string {
  return `${PACKAGE}:index:${name}`;
}

/** The text a field's documentation shows: its meaning, then its default. */
export function fieldDoc(field: FieldSpec): string {
  if (field.required) return `${field.description}\n\nRequired.`;
  return field.default === undefined ? field.description : `${field.description}\n\nDefault: ${field.default}.`;
}

/**
 * The dotted paths of a resource's secret fields, nested ones included
 * (["password", "connection.password", ...]), over its inputs, outputs and state.
 */
export function secretPaths(spec: ResourceSpec): string[] {
  const paths: string[] = [];
  const walk = (fields: Record<string, FieldSpec>, prefix: string, seen: string[]) => {
    for (const [name, field] of Object.entries(fields)) {
      const path = prefix + name;
      if (field.secret) paths.push(path);
      else if (typeof field.type === "object" && !seen.includes(field.type.object)) {
        const type = spec.types[field.type.object];
        if (type) walk(type.properties, `${path}.`, [...seen, field.type.object]);
      }
    }
  };
  walk({ ...spec.inputs, ...spec.outputs, ...spec.state }, "", []);
  return paths;
}
