/**
 * Inputs of CassandraRolePassword, as one zod schema: what `check` validates, with messages
 * that name the field and never its value. What each field means is documented where users
 * see it, on the argument interfaces in args.ts (generated from spec.ts).
 */
import { z } from "zod";
import {
  cqlAddressField,
  cqlClusterSchemaFields,
  millisecondsOf,
  pemCertificateField,
  scheduleFields,
} from "../shared/fields";
import { cassandraSpec } from "./spec";
import { CASSANDRA_PASSWORD_POLICY, checkPassword } from "../shared/password";
import type { Inputify, SameFields } from "../shared/inputs";
import type { IdentityState } from "../shared/lifecycle";
import type { CassandraConnectionArgs, CassandraRolePasswordArgs } from "./args";
import { ROLE_NAME } from "./names";

const roleField = (what: string) =>
  z.string({ error: what }).regex(ROLE_NAME, {
    error: "must start with a lowercase letter and hold only lowercase letters, digits and underscores (at most 64)",
  });

export const connectionSchema = z
  .object({
    address: cqlAddressField.optional(),
    ...cqlClusterSchemaFields,
    username: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    password: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    tls: z.boolean({ error: "must be true or false" }).optional(),
    caCertificate: pemCertificateField.optional(),
    localDataCenter: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    timeoutMs: millisecondsOf(cassandraSpec.types.CassandraConnection.properties.timeoutMs).optional(),
  })
  .strict()
  .refine((c) => !(c.password && !c.username), { error: "a password needs a username", path: ["username"] })
  .refine((c) => c.caCertificate === undefined || c.tls === true, {
    error: "a CA certificate is used only with tls: true",
    path: ["caCertificate"],
  });

const passwordField = z.string({ error: "must be a string" }).superRefine((pw, ctx) => {
  for (const rule of checkPassword(pw, CASSANDRA_PASSWORD_POLICY)) ctx.addIssue({ code: "custom", message: rule });
});

export const cassandraInputsSchema = z
  .object({
    connection: connectionSchema.optional(),
    role: roleField("is required and must be a string"),
    password: passwordField.optional(),
    currentPassword: z
      .string({ error: "must be a string" })
      .min(1, { error: "must not be empty" })
      .max(256, { error: "must be at most 256 characters" })
      .optional(),
    createIfMissing: z.boolean({ error: "must be true or false" }).optional(),
    deleteRoleOnDestroy: z.boolean({ error: "must be true or false" }).optional(),
    ...scheduleFields,
    standbyRole: roleField("must be a string").optional(),
  })
  .strict()
  .refine((i) => i.standbyRole === undefined || i.standbyRole !== i.role, {
    error: "must differ from role",
    path: ["standbyRole"],
  });

export type CassandraConnectionInputs = z.infer<typeof connectionSchema>;
/**
 * The inputs as check returns them: the user's, plus `rotatedAt` and `nextRotationAt`
 * (provider/shared/schedule.ts).
 */
export type CassandraRolePasswordInputs = z.infer<typeof cassandraInputsSchema> & {
  rotatedAt?: string;
  nextRotationAt?: string;
};

// The documented argument interfaces (args.ts) and this schema name the same fields with the
// same types: a field added to one and not the other fails the build here.
const argsMatchSchema: [
  SameFields<CassandraRolePasswordArgs, Inputify<z.infer<typeof cassandraInputsSchema>>>,
  SameFields<CassandraConnectionArgs, Inputify<CassandraConnectionInputs>>,
] = [true, true];
void argsMatchSchema;

/** What the resource keeps in state: its inputs and what every identity resource keeps (shared/lifecycle.ts). */
export type CassandraRolePasswordOutputs = CassandraRolePasswordInputs &
  IdentityState & {
    /** With standbyRole: the role services log in as now. */
    activeRole?: string;
  };
