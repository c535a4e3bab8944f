/**
 * Declares one resource with the inputs of one bad-input case, taken from PDP_BAD_INPUT
 * ({ kind: "milvus" | "geminidb" | "cassandra", inputs }). Credentials and passwords go in as Pulumi
 * secrets, as a program that reads them from secret config would pass them.
 */
import * as pulumi from "@pulumi/pulumi";
import { CassandraRolePassword, GeminiDbAdminPassword, MilvusUserPassword } from "pulumi-db-passwords";

const SECRET_KEYS = new Set(["password", "currentPassword", "token", "secretKey", "securityToken"]);

function withSecrets(value: unknown, key = ""): unknown {
  if (typeof value === "string" && SECRET_KEYS.has(key)) return pulumi.secret(value);
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecrets(v, k)]));
  }
  return value;
}

const spec = JSON.parse(process.env.PDP_BAD_INPUT ?? "{}") as { kind: string; inputs: Record<string, unknown> };
const inputs = withSecrets(spec.inputs) as any; // bad inputs on purpose: wrong types included
if (spec.kind === "milvus") new MilvusUserPassword("subject", inputs);
else if (spec.kind === "geminidb") new GeminiDbAdminPassword("subject", inputs);
else if (spec.kind === "cassandra") new CassandraRolePassword("subject", inputs);
else throw new Error("PDP_BAD_INPUT must name kind milvus, geminidb or cassandra");
