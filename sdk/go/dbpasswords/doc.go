// Pulumi resources that set and rotate database passwords through Pulumi's create/diff/update lifecycle: MilvusUserPassword, GeminiDbAdminPassword and CassandraRolePassword. The provider plugin of the npm package pulumi-db-passwords, for Python, Go and YAML programs.
package dbpasswords
