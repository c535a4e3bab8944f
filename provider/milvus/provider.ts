import { lazyProvider } from "../shared/provider";
import type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./schema";

/** The MilvusUserPassword ResourceProvider (serialized into state; see shared/provider.ts). */
export const milvusUserPasswordProvider = lazyProvider<MilvusUserPasswordInputs, MilvusUserPasswordOutputs>("pulumi-db-passwords/dist/milvus/operations");
