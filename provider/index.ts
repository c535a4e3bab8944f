export { MilvusUserPassword, MilvusUserPasswordArgs } from "./milvus/resource";
export { milvusUserPasswordProvider } from "./milvus/provider";
export type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./milvus/schema";
export { DbPasswordError, MilvusError, GeminiDbError, ConfigError } from "./shared/errors";
export { MILVUS_PASSWORD_POLICY, GEMINIDB_PASSWORD_POLICY, checkPassword, generatePassword } from "./shared/password";
