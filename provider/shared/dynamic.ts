/**
 * The base of the package's dynamic resources: a `pulumi.dynamic.Resource` without Pulumi's
 * closure serializer.
 *
 * A dynamic resource stores its provider as `__provider`: module text that the dynamic provider
 * host (`@pulumi/pulumi/cmd/dynamic-provider`) evaluates with `require-from-string`, calling its
 * `handler()` to get the provider object. `pulumi.dynamic.Resource` makes that text with the
 * closure serializer, which on its first use `require`s every built-in module of Node to
 * recognise them in closures (`computeBuiltInModules`); on Node 26 that loads `node:ffi`, whose
 * ExperimentalWarning then shows under every stack's diagnostics, and the serializer's own
 * modules take time to load in every program.
 *
 * Our providers are modules of this package, so the text is known in advance: it is the text the
 * serializer writes for a provider module found under node_modules (a `require` of the module by
 * package path), byte for byte, so that stacks made by earlier versions of the package see no
 * change. test/unit/serialized-provider.test.ts holds the two equal. The type token is
 * `pulumi.dynamic.Resource`'s: `pulumi-nodejs:dynamic/<module>:<type>`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResourceSpec, secretPaths } from "./spec";

/** The folders of the package whose `provider.js` is a dynamic provider. */
export type ProviderModule = "milvus" | "geminidb" | "cassandra";

/** What a resource stores as `__provider`: a reference to `dist/<module>/provider.js`. */
export function providerReference(module: ProviderModule): string {
  return (
    "exports.handler = __f0;\n" +
    `const p = require("pulumi-db-passwords/dist/${module}/provider.js");\n` +
    "\n" +
    "function __f0() {\n" +
    "  return (function() {\n" +
    "    with({ this: undefined, arguments: undefined }) {\n" +
    "\n" +
    "return () => p;\n" +
    "\n" +
    "    }\n" +
    "  }).apply(undefined, undefined).apply(this, arguments);\n" +
    "}\n"
  );
}

/**
 * What a class of `spec` registers besides the program's arguments: every output and state
 * field, not known until the provider answers (an output named like an input takes the input's
 * value), and the secret outputs, the top-level fields that are secret or hold a secret
 * (`connection` for `connection.password`). Both come from the spec, as the plugin's do.
 */
export function dynamicShape(spec: ResourceSpec): { outputs: string[]; secretOutputs: string[] } {
  return {
    outputs: [...new Set([...Object.keys(spec.outputs), ...Object.keys(spec.state ?? {})])],
    secretOutputs: [...new Set(secretPaths(spec).map((p) => p.split(".")[0]))],
  };
}

/** Whether `v`'s content is known only later: an Output or a Promise (or any thenable). */
function isDeferred(v: unknown): boolean {
  return pulumi.Output.isInstance(v) || typeof (v as { then?: unknown } | null)?.then === "function";
}

/**
 * `value` as an input Pulumi keeps secret. A plain value is wrapped at once. An Output or a
 * Promise is wrapped once it holds a value: one that resolves to undefined stays an omitted
 * input rather than becoming a secret holding nothing (which Pulumi would pass on as null).
 */
function secretInput(value: unknown): unknown {
  if (!isDeferred(value)) return pulumi.secret(value);
  const later = pulumi.output(value) as pulumi.Output<unknown>;
  return later.apply((v) => (v === undefined ? undefined : pulumi.secret(v)));
}

/**
 * The program's arguments with every field at `paths` (the spec's secret paths, dotted) kept
 * secret, whether the program passed it as a secret or as a plain string (a literal, or
 * `config.require` where `requireSecret` was meant). A dynamic provider has no schema, so
 * without this Pulumi stores such inputs in state in plaintext; Pulumi's own providers get
 * the same from their schema's `secret: true`.
 *
 * A field under plain objects is wrapped itself (`connection.password`; the rest of `connection`
 * stays readable in state and in diffs). Where a step of the path is an Output or a Promise, its
 * fields are not known when the resource is declared, so that whole value is wrapped
 * (`connection` given as an Output is stored encrypted as a whole). Absent fields stay absent.
 */
export function withSecretInputs(args: Readonly<Record<string, unknown>>, paths: readonly string[]): pulumi.Inputs {
  // A value wrapped whole for one path (`connection` for `connection.password`) covers the others below it.
  const wrapped = new Set<unknown>();
  const wrap = (obj: Readonly<Record<string, unknown>>, [head, ...rest]: string[]): Record<string, unknown> => {
    const v = obj[head];
    if (v === undefined || v === null || wrapped.has(v)) return obj;
    if (rest.length === 0 || isDeferred(v)) {
      const secret = secretInput(v);
      wrapped.add(secret);
      return { ...obj, [head]: secret };
    }
    // not an object where the spec declares one: check reports it, there is nothing below to hide
    if (typeof v !== "object" || Array.isArray(v)) return obj;
    return { ...obj, [head]: wrap(v as Record<string, unknown>, rest) };
  };
  return paths.reduce((acc, p) => wrap(acc, p.split(".")), args) as pulumi.Inputs;
}

/** What a class of the package passes to `pulumi.CustomResource`'s constructor, and what undoes its setting. */
export interface DynamicRegistration {
  type: string;
  props: pulumi.Inputs;
  opts: pulumi.CustomResourceOptions;
  /** Puts back the stack trace limit `dynamicRegistration` set: call it once `super` returned or threw. */
  done(): void;
}

/**
 * The registration of a dynamic resource of `spec` whose provider is the `provider.js` module of
 * one of the package's folders; every secret field of the spec is kept secret, in the inputs it
 * registers (`withSecretInputs`) and in the outputs (`additionalSecretOutputs`). docs/security.md.
 *
 * Each class extends `pulumi.CustomResource` itself and calls this before `super`, as the classes
 * of Pulumi's generated SDKs do, rather than extending a base class of ours: Pulumi's SDK takes
 * the resource's source position (and the stack trace it stores beside it in state) a fixed
 * number of frames above `new Resource`, counting one class between `CustomResource` and the
 * program. With a base class of ours between them it named the class's own `super` call, in
 * node_modules, instead of the line of the program that declared the resource.
 *
 * Pulumi's SDK also records a stack trace for every promise of every property it registers (kept
 * for its leaked-promise messages), four a property, each formatted through source maps: for our
 * 13-14 properties most of a program's CPU. They are off from here until `done()`, unless
 * PULUMI_DEBUG_PROMISE_LEAKS asks for them; the source position is unaffected (Pulumi sets a limit
 * of its own to take it). bench/README.md measures it.
 */
export function dynamicRegistration(
  spec: ResourceSpec,
  module: ProviderModule,
  type: string,
  args: object,
  opts?: pulumi.CustomResourceOptions,
): DynamicRegistration {
  if ("__provider" in args && (args as { __provider?: unknown }).__provider !== undefined)
    throw new Error("A dynamic resource must not define the __provider key");
  const shape = dynamicShape(spec);
  const props: pulumi.Inputs = {
    ...Object.fromEntries(shape.outputs.map((k) => [k, undefined])),
    ...withSecretInputs(args as Record<string, unknown>, secretPaths(spec)),
    __provider: providerReference(module),
  };
  const limit = Error.stackTraceLimit;
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
  return {
    type: `pulumi-nodejs:dynamic/${module}:${type}`,
    props,
    opts: { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...shape.secretOutputs] },
    done: () => {
      Error.stackTraceLimit = limit;
    },
  };
}
