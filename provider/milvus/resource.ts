import * as pulumi from "@pulumi/pulumi";
import * as provider from "./provider";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./schema";
import type { MilvusUserPasswordArgs } from "./args";

export type { MilvusConnectionArgs, MilvusUserPasswordArgs } from "./args";

/**
 * The password of one Milvus user, set with the Milvus UpdateCredential RPC. A change of
 * `password` (or of `rotationTrigger`) rotates it, using the old password from state.
 * Destroying the resource leaves the user and its password as they are unless
 * `deleteUserOnDestroy` is set.
 */
export class MilvusUserPassword extends pulumi.dynamic.Resource {
  /** The managed Milvus user. */
  declare readonly user: pulumi.Output<string>;
  /** The password the user has now (given or generated). Secret. */
  declare readonly password: pulumi.Output<string>;
  /** The Milvus address, resolved from the input or MILVUS_URI. */
  declare readonly address: pulumi.Output<string>;
  /** False when the last refresh found that the password in state no longer logs in. */
  declare readonly passwordVerified: pulumi.Output<boolean>;
  /**
   * When this resource last set the password, RFC 3339 UTC (e.g. `2026-11-25T06:40:12Z`);
   * `rotateAfterDays` counts from it. Undefined on a stack from before this output existed,
   * until the password next changes or a schedule is set.
   */
  declare readonly rotatedAt: pulumi.Output<string | undefined>;
  /**
   * With `standbyUser`: the user services should log in as now, with `password`. Undefined
   * without a standby user (then it is always `user`).
   */
  declare readonly activeUser: pulumi.Output<string | undefined>;

  constructor(name: string, args: MilvusUserPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider satisfies pulumi.dynamic.ResourceProvider<MilvusUserPasswordInputs, MilvusUserPasswordOutputs>,
      name,
      {
        password: undefined,
        address: undefined,
        passwordVerified: undefined,
        rotatedAt: undefined,
        activeUser: undefined,
        standbyPassword: undefined,
        ...args,
      },
      {
        ...opts,
        additionalSecretOutputs: [
          ...(opts?.additionalSecretOutputs ?? []),
          "password",
          "currentPassword",
          "connection",
          "standbyPassword",
        ],
      },
      "milvus",
      "UserPassword",
    );
  }
}
