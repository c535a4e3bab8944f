import * as pulumi from "@pulumi/pulumi";
import * as provider from "./provider";
import { dynamicRegistration } from "../shared/dynamic";
import { cassandraSpec } from "./spec";
import type { CassandraRolePasswordInputs, CassandraRolePasswordOutputs } from "./schema";
import type { CassandraRolePasswordArgs, CassandraRolePasswordOutputFields } from "./args";

export type { CassandraConnectionArgs, CassandraRolePasswordArgs } from "./args";

// The output fields with their documentation, generated from spec.ts into args.ts (see
// milvus/resource.ts).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface CassandraRolePassword extends CassandraRolePasswordOutputFields {}

/**
 * The password of one Cassandra role (GeminiDB for Cassandra, Apache Cassandra), set with
 * ALTER ROLE and proved by a login. A change of `password` (or of `rotationTrigger`) rotates
 * it; with `standbyRole`, two roles take turns. Destroying the resource leaves the role and its
 * password as they are unless `deleteRoleOnDestroy` is set.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class CassandraRolePassword extends pulumi.CustomResource {
  constructor(name: string, args: CassandraRolePasswordArgs, opts?: pulumi.CustomResourceOptions) {
    // a class of Pulumi's own shape (provider/shared/dynamic.ts): the source position is the program's
    const r = dynamicRegistration(cassandraSpec, "cassandra", "RolePassword", args, opts);
    try {
      super(r.type, name, r.props, r.opts);
    } finally {
      r.done();
    }
  }
}

// The provider module that __provider refers to implements the dynamic provider contract.
provider satisfies pulumi.dynamic.ResourceProvider<CassandraRolePasswordInputs, CassandraRolePasswordOutputs>;
