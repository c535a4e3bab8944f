import { lazyProvider } from "../shared/provider";
import type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "./schema";

/** The GeminiDbAdminPassword ResourceProvider (serialized into state; see shared/provider.ts). */
export const geminiDbAdminPasswordProvider = lazyProvider<GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs>("pulumi-db-passwords/dist/geminidb/operations");
