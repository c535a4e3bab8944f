export { MilvusUserPassword, MilvusUserPasswordArgs } from "./milvus/resource";
export * as milvusUserPasswordProvider from "./milvus/provider";
export type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./milvus/schema";
export { GeminiDbAdminPassword, GeminiDbAdminPasswordArgs } from "./geminidb/resource";
export * as geminiDbAdminPasswordProvider from "./geminidb/provider";
export type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "./geminidb/schema";
export { DbPasswordError, MilvusError, GeminiDbError, ConfigError } from "./shared/errors";
export { MILVUS_PASSWORD_POLICY, GEMINIDB_PASSWORD_POLICY, checkPassword, generatePassword } from "./shared/password";
