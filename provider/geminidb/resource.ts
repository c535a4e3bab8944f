import * as pulumi from "@pulumi/pulumi";
import * as provider from "./provider";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "./schema";
import type { GeminiDbAdminPasswordArgs } from "./args";

export type { GeminiDbAdminPasswordArgs, GeminiDbAuthArgs } from "./args";

/**
 * The rwuser password of a Huawei Cloud GeminiDB Cassandra instance, reset with
 * `PUT /v3/{project_id}/instances/{instance_id}/password`. A change of `password` (or of
 * `rotationTrigger`) resets it again. Destroying the resource leaves the password as it is.
 */
export class GeminiDbAdminPassword extends pulumi.dynamic.Resource {
  /** The instance whose rwuser password this is. */
  declare readonly instanceId: pulumi.Output<string>;
  /** The project id used (given, from HW_PROJECT_ID, or looked up by region). */
  declare readonly projectId: pulumi.Output<string>;
  /** The region. */
  declare readonly region: pulumi.Output<string>;
  /** The rwuser password now set (given or generated). Secret. */
  declare readonly password: pulumi.Output<string>;
  /** The GeminiDB endpoint used. */
  declare readonly endpointUsed: pulumi.Output<string>;
  /**
   * When this resource last set the password, RFC 3339 UTC (e.g. `2026-11-25T06:40:12Z`);
   * `rotateAfterDays` counts from it. Undefined on a stack from before this output existed,
   * until the password next changes or a schedule is set.
   */
  declare readonly rotatedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: GeminiDbAdminPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider satisfies pulumi.dynamic.ResourceProvider<GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs>,
      name,
      {
        password: undefined,
        projectId: undefined,
        region: undefined,
        endpointUsed: undefined,
        rotatedAt: undefined,
        ...args,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "password", "auth"] },
      "geminidb",
      "AdminPassword",
    );
  }
}
