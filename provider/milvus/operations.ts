/**
 * The MilvusUserPassword lifecycle: the identity lifecycle (provider/shared/lifecycle.ts) over
 * Milvus (adapter.ts). The provider module (provider.ts) requires this module by package path
 * when a method runs, in the dynamic provider host; the plugin loads it from its table.
 */
import { identityLifecycle } from "../shared/lifecycle";
import { milvusDatabase } from "./adapter";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./schema";

export const { check, diff, create, update, read, remove, adopt, withSettings } = identityLifecycle<
  MilvusUserPasswordInputs,
  MilvusUserPasswordOutputs,
  object
>(milvusDatabase, {});
