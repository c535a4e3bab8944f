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

/** A field's type: a scalar, an object type of the same resource (`types`), or a list of either. */
export type FieldType = "string" | "integer" | "boolean" | { object: string } | { array: FieldType };

/** The object type a field's type names (itself, or its list's element), or undefined. */
export function objectTypeOf(type: FieldType): string | undefined {
  if (typeof type !== "object") return undefined;
  return "object" in type ? type.object : objectTypeOf(type.array);
}

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
  /** An integer's bounds: the text states them, and the zod schema enforces these (shared/fields.ts). */
  min?: number;
  max?: number;
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

/** A timeout in milliseconds of `what` ("each call to Milvus"), within [min, max]. */
export function timeoutSpec(what: string, min: number, max: number, byDefault: number): FieldSpec {
  return {
    type: "integer",
    description: `Timeout of ${what} in milliseconds, ${min} to ${max}.`,
    default: String(byDefault),
    min,
    max,
  };
}

/** The fields of a scheduled or triggered rotation, the same on every resource (shared/schedule.ts). */
export const SCHEDULE_INPUTS = {
  rotationTrigger: {
    type: "string",
    description: "Any string; a change rotates the password (a new one is generated when `password` is omitted).",
    default: "none",
  },
  rotateAfterDays: {
    type: "integer",
    description:
      "Rotate the password on a schedule: once this many days (1 to 3650) have passed since `rotatedAt`, the next " +
      "`pulumi up` sets a new one. A generated password gets a new value; a password given in config cannot be " +
      "invented, so then the preview fails and asks for a new secret. Not due: no change and no call to the " +
      "server. Removing it stops the schedule. Not together with `rotationSchedule`.",
    default: "none: the password changes only when `password` or `rotationTrigger` does",
    min: 1,
    max: 3650,
  },
  rotationSchedule: {
    type: "string",
    description:
      "Rotate the password on a calendar: a cron expression of five fields (minute hour day-of-month month " +
      "day-of-week; e.g. `0 2 * * 0#1`, 02:00 on the first Sunday of each month) or one of `@yearly`, `@annually`, " +
      "`@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, read in `rotationTimeZone`. Once its first moment " +
      "after `rotatedAt` (`nextRotationAt`) has come, the next `pulumi up` sets a new password (within " +
      "`rotationWindowMinutes` when set); a run up to 5 minutes before a moment counts as at it. A password given " +
      "in config cannot be invented, so then the preview fails and asks for a new secret. Not due: no change and " +
      "no call to the server. Not together with `rotateAfterDays`.",
    default: "none",
  },
  rotationTimeZone: {
    type: "string",
    description:
      "The IANA time zone in which `rotationSchedule` is read (e.g. `Europe/Berlin`), daylight saving time " +
      "included: a moment in the hour that is skipped in spring comes at the first minute after it, and a moment " +
      "in the hour that is repeated in autumn comes once.",
    default: "`UTC`",
  },
  rotationWindowMinutes: {
    type: "integer",
    description:
      "How long after each scheduled moment a rotation may start, in minutes (1 to 10080). A due rotation happens " +
      "only in a `pulumi up` that starts within a window; a run outside one changes nothing and says when the next " +
      "window opens; one rotation serves every missed moment. With `rotateAfterDays` a window opens each day at " +
      "the time of day it was due.",
    default: "none: a due rotation happens in the next `pulumi up`, whenever it starts",
    min: 1,
    max: 10080,
  },
} satisfies Record<string, FieldSpec>;

/** The output that says when the password was last set (shared/schedule.ts), on every resource. */
export const ROTATED_AT: FieldSpec = {
  type: "string",
  description:
    "When this resource last set the password, RFC 3339 UTC (e.g. `2026-11-25T06:40:12Z`); `rotateAfterDays` " +
    "counts from it. Undefined on a stack from before this output existed, until the password next changes or " +
    "a schedule is set.",
};

/** The output that says when the next scheduled rotation is due (shared/schedule.ts), on every resource. */
export const NEXT_ROTATION_AT: FieldSpec = {
  type: "string",
  description:
    "When the next scheduled rotation is due, RFC 3339 UTC: `rotatedAt` plus `rotateAfterDays`, or the first moment " +
    "of `rotationSchedule` more than 5 minutes after `rotatedAt`. It changes when the password is set or the " +
    "schedule changes, never because time passes, so a time in the past means the rotation is overdue (it waits " +
    "for its window, or for the next `pulumi up`). Undefined without a schedule.",
};

/**
 * What state keeps, on every resource, so that a generated password is never known only to the
 * process that set it (shared/seed.ts): the next generated password is derived from it.
 */
export const PASSWORD_SEED: FieldSpec = {
  type: "string",
  description:
    "32 random bytes (base64) from which the next generated password is derived, so that a run that dies after " +
    "the database took a new password and before state recorded it is followed by one that knows that password. " +
    "Replaced by fresh ones each time the password is set. Secret.",
  secret: true,
};

/** The output of a refresh's login, on the identity resources. */
export const PASSWORD_VERIFIED: FieldSpec = {
  type: "boolean",
  description: "False when the last refresh found that the password in state no longer logs in.",
  required: true,
};

/** The data center field of a CQL endpoint. */
export const LOCAL_DATA_CENTER: FieldSpec = {
  type: "string",
  description:
    "Accepted and not used: the provider connects to `address` and each node itself, with no driver " +
    "that needs a data center. Kept so that programs that set it run unchanged.",
  default: "`datacenter1`",
};

/** The bounds of `credentialsCacheMs` (provider/cql/client.ts has its default and the margin). */
export const CREDENTIALS_CACHE_MS = { min: 0, max: 600000, byDefault: 4000, marginMs: 2000 };

/**
 * The fields of a CQL endpoint that say which nodes of a cluster a proof logs in on, and how
 * long their credentials caches keep a password (provider/cql/nodes.ts, docs/clusters.md), the
 * same on CassandraRolePassword's `connection` and GeminiDbAdminPassword's `cql`. `block` is how
 * the texts name the endpoint's fields ("cql." or "connection.").
 */
export function cqlClusterFields(block: string): Record<"nodes" | "discoverNodes" | "credentialsCacheMs", FieldSpec> {
  const c = CREDENTIALS_CACHE_MS;
  return {
    nodes: {
      type: { array: "string" },
      description:
        "More nodes to prove each change on, `host` or `host:port` (the port of `address` when omitted): each " +
        "node checks passwords itself, through a credentials cache of its own, and clients connect to every " +
        "node. The proof logs in on `address` and on each of these, each on a connection of its own; list them " +
        "when `address` cannot tell (its peers' addresses are not the ones this program reaches).",
      default: `none: \`address\` and the nodes it knows (\`${block}discoverNodes\`)`,
    },
    discoverNodes: {
      type: "boolean",
      description:
        "Prove on the nodes that `address` knows too: read from its `system.peers_v2` (native address and port), " +
        "or `system.peers` (rpc address, the port of `address`) on servers without it, logging in as the identity " +
        "being proved; read once for the resources of one `pulumi` command that share `address` (within 10 s). " +
        "When that fails, the proof covers `address` and `nodes` only, and says so in the log.",
      default: "true without `nodes`, false with them (set it to true to prove on both)",
    },
    credentialsCacheMs: {
      type: "integer",
      description:
        `The nodes' \`credentials_validity\` plus \`credentials_update_interval\` (cassandra.yaml), in ` +
        `milliseconds, ${c.min} to ${c.max}: how long a node may keep taking an old password, or refusing the new ` +
        `one, after a change (ALTER ROLE invalidates no node's cache). Each node's proof waits up to this plus ` +
        `${c.marginMs / 1000} s for the node to show the change.`,
      default: `${c.byDefault} (Cassandra's defaults, 2000 + 2000)`,
      min: c.min,
      max: c.max,
    },
  };
}

/** The object type of `nodeProofs` (cqlClusterFields), the same on both resources. */
export const CQL_NODE_PROOF_TYPE: { name: string; spec: ObjectTypeSpec } = {
  name: "CqlNodeProof",
  spec: {
    description: "What one node showed of the last proof or refresh.",
    properties: {
      address: { type: "string", description: "The node, `host:port`.", required: true },
      verified: {
        type: "boolean",
        description: "Whether the node showed the password (the new one logs in, old ones are refused).",
        required: true,
      },
      answer: {
        type: "string",
        description:
          "What the node answered when not verified: which password it refused or still took, or why it could " +
          "not be asked. Never a secret.",
      },
    },
  },
};

/** The `nodeProofs` output of a resource proved on each node of a CQL cluster (`what`: on which nodes, of what). */
export function nodeProofsOutput(what: string): FieldSpec {
  return {
    type: { array: { object: CQL_NODE_PROOF_TYPE.name } },
    description:
      `What the last proof of a change, or the last refresh, showed on each node ${what}: the node's \`address\`, ` +
      "whether it showed the password (`verified`), and what it answered when not (`answer`). `passwordVerified` " +
      "is true only when every node did.",
  };
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
      else if (typeof field.type === "object" && "object" in field.type && !seen.includes(field.type.object)) {
        // (lists hold no secret: a unit test holds every spec to that, so paths need no index)
        const type = spec.types[field.type.object];
        if (type) walk(type.properties, `${path}.`, [...seen, field.type.object]);
      }
    }
  };
  walk({ ...spec.inputs, ...spec.outputs, ...spec.state }, "", []);
  return paths;
}

/** The value at a dotted path ("connection.password") of a value; undefined where it stops. */
export function valueAt(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The secret values that inputs, outputs or state hold (the strings at the spec's secret
 * paths), for the redaction of every error an operation throws.
 */
export function secretValues(spec: ResourceSpec, ...values: unknown[]): string[] {
  const paths = secretPaths(spec);
  return values
    .flatMap((v) => paths.map((p) => valueAt(v, p)))
    .filter((s): s is string => typeof s === "string" && !!s);
}

/**
 * The dotted paths of the inputs whose change replaces the resource (["connection.address",
 * "user", "standbyUser"]), nested ones included, in the spec's order.
 */
export function replacePaths(spec: ResourceSpec): string[] {
  const paths: string[] = [];
  const walk = (fields: Record<string, FieldSpec>, prefix: string) => {
    for (const [name, field] of Object.entries(fields)) {
      if (field.replaces) paths.push(prefix + name);
      else if (typeof field.type === "object" && "object" in field.type)
        walk(spec.types[field.type.object]?.properties ?? {}, `${prefix}${name}.`);
    }
  };
  walk(spec.inputs, "");
  return paths;
}

/** The inputs that say what the password is: an update sets it when they ask (schedule.ts). */
export const PASSWORD_INPUTS: readonly string[] = ["password", "currentPassword", "rotationTrigger"];

/**
 * The inputs an update only stores (so that refresh and destroy use the current ones): every
 * top-level input that neither replaces the resource nor says what the password is.
 */
export function storedInputs(spec: ResourceSpec): string[] {
  return Object.entries(spec.inputs)
    .filter(([name, field]) => !field.replaces && !PASSWORD_INPUTS.includes(name))
    .map(([name]) => name);
}

/**
 * How to compare one replacing field where its raw values do not tell: `news` gives the value
 * the new inputs stand for (a default from the environment, the previous value when omitted;
 * a throw: not known yet, not compared), `olds` the value state has for it.
 */
export type Resolvers = Record<string, { news?: () => unknown; olds?: () => unknown }>;

/** The replacing fields (`replacePaths`) whose value differs between `olds` and `news`. */
export function replacedFields(spec: ResourceSpec, olds: unknown, news: unknown, resolvers: Resolvers = {}): string[] {
  return replacePaths(spec).filter((path) => {
    const r = resolvers[path];
    let next: unknown;
    try {
      next = r?.news ? r.news() : valueAt(news, path);
    } catch {
      return false;
    }
    return next !== (r?.olds ? r.olds() : valueAt(olds, path));
  });
}
