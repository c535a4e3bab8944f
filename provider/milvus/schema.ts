/**
 * Inputs of MilvusUserPassword, as one zod schema; the TypeScript types come from it.
 */
import { z } from "zod";
import { millisecondsField, rotationTriggerField } from "../shared/fields";
import { MILVUS_PASSWORD_POLICY, checkPassword } from "../shared/password";
import { ADDRESS, USER_NAME } from "./address";

export const connectionSchema = z
  .object({
    /** Milvus address, `host:port` or `https://host:port`. Default: `MILVUS_URI`. */
    address: z
      .string({ error: "must be a string" })
      .regex(ADDRESS, { error: "must be host:port, http://host:port or https://host:port" })
      .refine(
        (a) => {
          const port = ADDRESS.exec(a)?.[3];
          return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
        },
        { error: "port must be between 1 and 65535" },
      )
      .optional(),
    /** User the provider logs in as. Default: `MILVUS_USER`; without one, the managed user itself. */
    username: z
      .string({ error: "must be a string" })
      .regex(USER_NAME, {
        error: "must start with a letter and hold only letters, digits and underscores (at most 32)",
      })
      .optional(),
    /** Password of `username`. Default: `MILVUS_PASSWORD`. */
    password: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    /** An API key or `user:password` token instead of username/password. Default: `MILVUS_TOKEN`. */
    token: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    /** Use TLS (implied by an https:// address). */
    tls: z.boolean({ error: "must be true or false" }).optional(),
    /** Timeout of each call to Milvus in milliseconds (1000–300000). Default 15000. */
    timeoutMs: millisecondsField(1000, 300000).optional(),
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
    /** How to reach Milvus and who to log in as. */
    connection: connectionSchema.optional(),
    /** The Milvus user whose password this resource manages. */
    user: z.string({ error: "is required and must be a string" }).regex(USER_NAME, {
      error: "must start with a letter and hold only letters, digits and underscores (at most 32)",
    }),
    /** The password to set. Omit it to have one generated (rotated by `rotationTrigger`). */
    password: passwordField.optional(),
    /** The password the user has before this resource manages it (needed when the user exists). */
    currentPassword: z
      .string({ error: "must be a string" })
      .min(1, { error: "must not be empty" })
      .max(256, { error: "must be at most 256 characters" })
      .optional(),
    /** Create the user when it does not exist. Default false. */
    createIfMissing: z.boolean({ error: "must be true or false" }).optional(),
    /** Delete the user when the resource is destroyed. Default false: the user is left as it is. */
    deleteUserOnDestroy: z.boolean({ error: "must be true or false" }).optional(),
    /** Any string; a change rotates the password (a new one is generated when `password` is omitted). */
    rotationTrigger: rotationTriggerField.optional(),
  })
  .strict();

export type MilvusConnectionInputs = z.infer<typeof connectionSchema>;
export type MilvusUserPasswordInputs = z.infer<typeof milvusInputsSchema>;

/** What the resource keeps in state. */
export interface MilvusUserPasswordOutputs extends MilvusUserPasswordInputs {
  /** The password the user has now (generated or given). Secret. */
  password: string;
  /** The resolved address (from the input or MILVUS_URI). */
  address: string;
  /** False when the last refresh found that the password no longer logs in. */
  passwordVerified: boolean;
}
