/**
 * Inputs of MilvusUserPassword, as one zod schema: what `check` validates, with messages that
 * name the field and never its value. What each field means is documented where users see it,
 * on the argument interfaces in args.ts.
 */
import { z } from "zod";
import { addressField, millisecondsOf, scheduleFields } from "../shared/fields";
import { milvusSpec } from "./spec";
import { MILVUS_PASSWORD_POLICY, checkPassword } from "../shared/password";
import type { Inputify, SameFields } from "../shared/inputs";
import type { IdentityState } from "../shared/lifecycle";
import { ADDRESS, USER_NAME } from "./names";
import type { MilvusConnectionArgs, MilvusUserPasswordArgs } from "./args";

export const connectionSchema = z
  .object({
    address: addressField(
      ADDRESS,
      "must be a string",
      "must be host:port, http://host:port or https://host:port",
    ).optional(),
    username: z
      .string({ error: "must be a string" })
      .regex(USER_NAME, {
        error: "must start with a letter and hold only letters, digits and underscores (at most 32)",
      })
      .optional(),
    password: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    token: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    tls: z.boolean({ error: "must be true or false" }).optional(),
    timeoutMs: millisecondsOf(milvusSpec.types.MilvusConnection.properties.timeoutMs).optional(),
  })
  .strict()
  .refine((c) => !(c.token && (c.username || c.password)), {
    error: "give either token or username/password, not both",
    path: ["token"],
  })
  .refine((c) => !(c.password && !c.username), { error: "a password needs a username", path: ["username"] });

const passwordField = z.string({ error: "must be a string" }).superRefine((pw, ctx) => {
  for (const rule of checkPassword(pw, MILVUS_PASSWORD_POLICY)) ctx.addIssue({ code: "custom", message: rule });
});

export const milvusInputsSchema = z
  .object({
    connection: connectionSchema.optional(),
    user: z.string({ error: "is required and must be a string" }).regex(USER_NAME, {
      error: "must start with a letter and hold only letters, digits and underscores (at most 32)",
    }),
    password: passwordField.optional(),
    currentPassword: z
      .string({ error: "must be a string" })
      .min(1, { error: "must not be empty" })
      .max(256, { error: "must be at most 256 characters" })
      .optional(),
    createIfMissing: z.boolean({ error: "must be true or false" }).optional(),
    deleteUserOnDestroy: z.boolean({ error: "must be true or false" }).optional(),
    ...scheduleFields,
    standbyUser: z
      .string({ error: "must be a string" })
      .regex(USER_NAME, {
        error: "must start with a letter and hold only letters, digits and underscores (at most 32)",
      })
      .optional(),
  })
  .strict()
  .refine((i) => i.standbyUser === undefined || i.standbyUser !== i.user, {
    error: "must differ from user",
    path: ["standbyUser"],
  });

export type MilvusConnectionInputs = z.infer<typeof connectionSchema>;
/**
 * The inputs as check returns them: the user's, plus `rotatedAt` and `nextRotationAt`
 * (provider/shared/schedule.ts).
 */
export type MilvusUserPasswordInputs = z.infer<typeof milvusInputsSchema> & {
  rotatedAt?: string;
  nextRotationAt?: string;
};

// The documented argument interfaces (args.ts) and this schema name the same fields with the
// same types: a field added to one and not the other fails the build here.
const argsMatchSchema: [
  SameFields<MilvusUserPasswordArgs, Inputify<z.infer<typeof milvusInputsSchema>>>,
  SameFields<MilvusConnectionArgs, Inputify<MilvusConnectionInputs>>,
] = [true, true];
void argsMatchSchema;

/** What the resource keeps in state: its inputs and what every identity resource keeps (shared/lifecycle.ts). */
export type MilvusUserPasswordOutputs = MilvusUserPasswordInputs &
  IdentityState & {
    /** With standbyUser: the user services log in as now. */
    activeUser?: string;
  };
