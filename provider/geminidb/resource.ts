import * as pulumi from "@pulumi/pulumi";
import * as provider from "./provider";
import { dynamicRegistration } from "../shared/dynamic";
import { geminiDbSpec } from "./spec";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "./schema";
import type { GeminiDbAdminPasswordArgs, GeminiDbAdminPasswordOutputFields } from "./args";

export type { GeminiDbAdminPasswordArgs, GeminiDbAuthArgs } from "./args";

// The output fields with their documentation, generated from spec.ts into args.ts (see
// milvus/resource.ts).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface GeminiDbAdminPassword extends GeminiDbAdminPasswordOutputFields {}

/**
 * The rwuser password of a Huawei Cloud GeminiDB instance (Cassandra, Mongo, Influx or Redis),
 * reset with `PUT /v3/{project_id}/instances/{instance_id}/password`. A change of `password`
 * (or of `rotationTrigger`) resets it again. Destroying the resource leaves the password as it
 * is.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class GeminiDbAdminPassword extends pulumi.CustomResource {
  constructor(name: string, args: GeminiDbAdminPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    // a class of Pulumi's own shape (provider/shared/dynamic.ts): the source position is the program's
    const r = dynamicRegistration(geminiDbSpec, "geminidb", "AdminPassword", args, opts);
    try {
      super(r.type, name, r.props, r.opts);
    } finally {
      r.done();
    }
  }
}

// The provider module that __provider refers to implements the dynamic provider contract.
provider satisfies pulumi.dynamic.ResourceProvider<GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs>;
