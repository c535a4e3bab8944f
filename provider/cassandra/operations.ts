/**
 * The CassandraRolePassword lifecycle: the identity lifecycle (provider/shared/lifecycle.ts)
 * over Cassandra (adapter.ts). The provider module (provider.ts) requires this module by
 * package path when a method runs; the plugin loads it from its table.
 */
import { identityLifecycle } from "../shared/lifecycle";
import { Settings, cassandraDatabase } from "./adapter";
import type { CassandraRolePasswordInputs, CassandraRolePasswordOutputs } from "./schema";

export type { Settings } from "./adapter";

export const { check, diff, create, update, read, remove, adopt, withSettings } = identityLifecycle<
  CassandraRolePasswordInputs,
  CassandraRolePasswordOutputs,
  Settings
>(cassandraDatabase, {});
