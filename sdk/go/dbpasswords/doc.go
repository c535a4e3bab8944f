// Pulumi resources that set and rotate database passwords (Milvus users, Huawei Cloud GeminiDB rwuser, Cassandra roles) through Pulumi's create/diff/update lifecycle: dynamic resources for TypeScript, a provider plugin with Python and Go SDKs for every Pulumi language.
package dbpasswords
