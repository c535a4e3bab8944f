/**
 * Turning zod issues into Pulumi check failures: each names the property (dotted path) and
 * says what is wrong, never what the value was.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { redact } from "./redact";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Collects every string inside `value`, so that none of them can reach a message. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => stringsIn(v, out));
  return out;
}

export function issuesToFailures(issues: ReadonlyArray<z.core.$ZodIssue>, inputs: unknown): CheckFailure[] {
  // Every input string is treated as possibly secret: a zod message must not echo any.
  const values = stringsIn(inputs);
  return issues.map((issue) => ({
    property: issue.path.length ? issue.path.map(String).join(".") : "(inputs)",
    reason: redact(issue.message, values),
  }));
}

/** A check's answer that fails on one field: the inputs as parsed and what is wrong with `property`. */
export function failed<T>(inputs: T, property: string, reason: string): { inputs: T; failures: CheckFailure[] } {
  return { inputs, failures: [{ property, reason }] };
}

/**
 * The failures as they go to Pulumi. Pulumi prints a failure that names a top-level property
 * as "property P value {V} has a problem: R", with V the program's value, secret or not (seen
 * with 3.248: a secret password prints as {&{{...}}}). So no failure names a property for
 * Pulumi; each names its field in the reason, "field: rule".
 */
export function forPulumi(failures: CheckFailure[] | undefined): CheckFailure[] | undefined {
  return failures?.map((f) => ({ property: "", reason: `${f.property}: ${f.reason}` }));
}

/** Drops keys whose value is undefined, so that state does not hold explicit undefineds. */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** The key under which Pulumi passes the serialized provider along with every resource's inputs. */
export const PROVIDER_KEY = "__provider";

/** The user's inputs without the serialized provider (the dynamic provider host adds it back after check). */
export function userInputs(news: unknown): unknown {
  if (!news || typeof news !== "object" || !(PROVIDER_KEY in news)) return news;
  const { [PROVIDER_KEY]: _provider, ...rest } = news as Record<string, unknown>;
  return rest;
}

/**
 * Whether a failure on `property` may come from a value not known yet at `unknown` (one lies
 * below the other). A list element is `nodes.0` in a zod path and `nodes[0]` in the plugin's
 * unknowns: both are read as the first.
 */
export function concerns(property: string, unknown: string): boolean {
  const dotted = (p: string) => p.replace(/\[(\d+)\]/g, ".$1");
  const [f, u] = [dotted(property), dotted(unknown)];
  return f === u || f.startsWith(`${u}.`) || u.startsWith(`${f}.`);
}

/**
 * A provider's check from a check of the user's inputs: `__provider` taken off first, the
 * failures handed to Pulumi in the form forPulumi gives them. `olds` are the previous inputs
 * as check returned them, undefined on create (Pulumi sends an empty object).
 *
 * `unknowns` (the plugin, during a preview): input paths whose values are not known yet and
 * are left out of `rawNews`. Their rules cannot be checked now, so a failure on such a path
 * (or on the object that holds it) is dropped; `pulumi up` checks them once they are known.
 */
export function providerCheck<T>(
  checkInputs: (news: unknown, olds?: Record<string, unknown>) => pulumi.dynamic.CheckResult<T>,
) {
  return async (
    rawOlds: unknown,
    rawNews: unknown,
    unknowns: string[] = [],
  ): Promise<pulumi.dynamic.CheckResult<T>> => {
    const olds = userInputs(rawOlds) as Record<string, unknown> | undefined;
    const r = checkInputs(userInputs(rawNews), olds && Object.keys(olds).length > 0 ? olds : undefined);
    const failures = r.failures?.filter((f) => !unknowns.some((u) => concerns(f.property, u)));
    return failures?.length ? { inputs: r.inputs, failures: forPulumi(failures) } : { inputs: r.inputs };
  };
}
