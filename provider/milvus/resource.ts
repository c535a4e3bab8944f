import * as pulumi from "@pulumi/pulumi";
import * as provider from "./provider";
import { dynamicRegistration } from "../shared/dynamic";
import { milvusSpec } from "./spec";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./schema";
import type { MilvusUserPasswordArgs, MilvusUserPasswordOutputFields } from "./args";

export type { MilvusConnectionArgs, MilvusUserPasswordArgs } from "./args";

// The output fields (user, password, passwordVerified, ...) with their documentation, generated
// from spec.ts into args.ts, are merged into the class here: the dynamic resource sets each of
// them from the provider's outputs, as it did for the fields the class used to declare itself.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface MilvusUserPassword extends MilvusUserPasswordOutputFields {}

/**
 * The password of one Milvus user, set with the Milvus UpdateCredential RPC. A change of
 * `password` (or of `rotationTrigger`) rotates it, using the old password from state.
 * Destroying the resource leaves the user and its password as they are unless
 * `deleteUserOnDestroy` is set.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class MilvusUserPassword extends pulumi.CustomResource {
  constructor(name: string, args: MilvusUserPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    // a class of Pulumi's own shape (provider/shared/dynamic.ts): the source position is the program's
    const r = dynamicRegistration(milvusSpec, "milvus", "UserPassword", args, opts);
    try {
      super(r.type, name, r.props, r.opts);
    } finally {
      r.done();
    }
  }
}

// The provider module that __provider refers to implements the dynamic provider contract.
provider satisfies pulumi.dynamic.ResourceProvider<MilvusUserPasswordInputs, MilvusUserPasswordOutputs>;
