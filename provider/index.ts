export { MilvusUserPassword } from "./milvus/resource";
export type { MilvusConnectionArgs, MilvusUserPasswordArgs } from "./milvus/resource";
export * as milvusUserPasswordProvider from "./milvus/provider";
export type { MilvusUserPasswordInputs, MilvusUserPasswordOutputs } from "./milvus/schema";
export { GeminiDbAdminPassword } from "./geminidb/resource";
export type { GeminiDbAdminPasswordArgs, GeminiDbAuthArgs } from "./geminidb/resource";
export * as geminiDbAdminPasswordProvider from "./geminidb/provider";
export type { GeminiDbAdminPasswordInputs, GeminiDbAdminPasswordOutputs } from "./geminidb/schema";
export { CassandraRolePassword } from "./cassandra/resource";
export type { CassandraConnectionArgs, CassandraRolePasswordArgs } from "./cassandra/resource";
export * as cassandraRolePasswordProvider from "./cassandra/provider";
export type { CassandraRolePasswordInputs, CassandraRolePasswordOutputs } from "./cassandra/schema";
export { DbPasswordError, MilvusError, GeminiDbError, CqlError, ConfigError } from "./shared/errors";
/** What one node of a cluster showed of a proof (the `nodeProofs` output). */
export type { NodeProof } from "./shared/login-proof";
export {
  MILVUS_PASSWORD_POLICY,
  GEMINIDB_PASSWORD_POLICY,
  CASSANDRA_PASSWORD_POLICY,
  checkPassword,
  generatePassword,
} from "./shared/password";
