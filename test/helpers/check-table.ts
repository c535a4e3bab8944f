import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";

/**
 * One bad-input case: inputs, the property the failure must name, what it must say. Failures
 * reach Pulumi without a property (see forPulumi): the reason starts with "field: ".
 */
export type CheckCase = [name: string, news: Record<string, unknown>, property: string, reason: RegExp];

/**
 * Table-driven check tests: each case must fail on `property` with `reason`, and no failure
 * may contain any of `secrets`.
 */
/** The failure about `property`, with the "field: " prefix taken off its reason. */
export function failureOf(
  failures: pulumi.dynamic.CheckFailure[] | undefined,
  property: string,
): pulumi.dynamic.CheckFailure | undefined {
  const f = failures?.find((x) => x.property === "" && x.reason.startsWith(`${property}: `));
  return f && { property, reason: f.reason.slice(property.length + 2) };
}

export function checkTable(
  check: (olds: unknown, news: unknown) => Promise<pulumi.dynamic.CheckResult>,
  cases: CheckCase[],
  secrets: string[],
): void {
  for (const [name, news, property, reason] of cases) {
    it(`names ${property} for ${name}, without the value`, async () => {
      const r = await check({}, news);
      const f = failureOf(r.failures, property);
      assert.ok(f, `no failure for ${property}: ${JSON.stringify(r.failures)}`);
      assert.match(f!.reason, reason);
      const text = JSON.stringify(r.failures);
      for (const secret of secrets) assert.ok(!text.includes(secret), "a failure echoed a secret");
    });
  }
}
