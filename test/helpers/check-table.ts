import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";

/** One bad-input case: inputs, the property the failure must name, what it must say. */
export type CheckCase = [name: string, news: Record<string, unknown>, property: string, reason: RegExp];

/**
 * Table-driven check tests: each case must fail on `property` with `reason`, and no failure
 * may contain any of `secrets`.
 */
export function checkTable(check: (olds: unknown, news: unknown) => Promise<pulumi.dynamic.CheckResult>, cases: CheckCase[], secrets: string[]): void {
  for (const [name, news, property, reason] of cases) {
    it(`names ${property} for ${name}, without the value`, async () => {
      const r = await check({}, news);
      const f = r.failures?.find((x) => x.property === property);
      assert.ok(f, `no failure for ${property}: ${JSON.stringify(r.failures)}`);
      assert.match(f!.reason, reason);
      const text = JSON.stringify(r.failures);
      for (const secret of secrets) assert.ok(!text.includes(secret), "a failure echoed a secret");
    });
  }
}
