/**
 * Inputs of GeminiDbAdminPassword, as one zod schema: what `check` validates, with messages
 * that name the field and never its value. What each field means is documented where users
 * see it, on the argument interfaces in args.ts.
 */
import { z } from "zod";
import { isLoopbackHost } from "../shared/env";
import {
  cqlAddressField,
  cqlClusterSchemaFields,
  millisecondsOf,
  pemCertificateField,
  scheduleFields,
} from "../shared/fields";
import { PROOF_BLOCKS, type ProofBlock, geminiDbSpec } from "./spec";
import {
  type GeminiDbEngine,
  GEMINIDB_ENGINES,
  GEMINIDB_ENGINE_POLICY,
  GEMINIDB_PASSWORD_POLICY,
  checkPassword,
} from "../shared/password";
import type { Inputify, SameFields } from "../shared/inputs";
import type { NodeProof } from "../shared/login-proof";
import type {
  GeminiDbAdminPasswordArgs,
  GeminiDbAuthArgs,
  GeminiDbCqlArgs,
  GeminiDbInfluxArgs,
  GeminiDbMongoArgs,
  GeminiDbRedisArgs,
} from "./args";
import { INSTANCE_ID, PROJECT_ID, REGION } from "./regions";

/** An https URL, or http to a loopback host (for local emulators); no path, query or user info. */
const endpointField = z.string({ error: "must be a string" }).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({
      code: "custom",
      message: "must be an absolute URL such as https://gaussdb-nosql.eu-west-101.myhuaweicloud.eu",
    });
    return;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    ctx.addIssue({ code: "custom", message: "must use https" });
  } else if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    ctx.addIssue({ code: "custom", message: "must use https (plain http is allowed only to a loopback host)" });
  }
  if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not hold user information" });
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    ctx.addIssue({ code: "custom", message: "must be scheme://host[:port] without path or query" });
  }
});

const nonEmpty = (what: string) =>
  z.string({ error: `must be a string` }).refine((s) => s.trim().length > 0, { error: `${what} must not be empty` });

/** Exactly one way to authenticate; omitted: HW_* environment variables at run time. */
export const authSchema = z
  .object({
    token: nonEmpty("token").optional(),
    accessKey: nonEmpty("accessKey").optional(),
    secretKey: nonEmpty("secretKey").optional(),
    securityToken: nonEmpty("securityToken").optional(),
    userName: nonEmpty("userName").optional(),
    password: nonEmpty("password").optional(),
    domainName: nonEmpty("domainName").optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const modes = [
      a.token !== undefined,
      a.accessKey !== undefined || a.secretKey !== undefined,
      a.userName !== undefined || a.password !== undefined || a.domainName !== undefined,
    ].filter(Boolean).length;
    if (modes !== 1) {
      ctx.addIssue({
        code: "custom",
        message: "give exactly one of: token; accessKey + secretKey; userName + password + domainName",
      });
      return;
    }
    if ((a.accessKey === undefined) !== (a.secretKey === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [a.accessKey === undefined ? "accessKey" : "secretKey"],
        message: "accessKey and secretKey go together",
      });
    }
    if (a.securityToken !== undefined && a.accessKey === undefined) {
      ctx.addIssue({ code: "custom", path: ["securityToken"], message: "securityToken needs accessKey and secretKey" });
    }
    if (a.userName !== undefined || a.password !== undefined || a.domainName !== undefined) {
      for (const k of ["userName", "password", "domainName"] as const) {
        if (a[k] === undefined)
          ctx.addIssue({ code: "custom", path: [k], message: "is required for IAM password authentication" });
      }
    }
  });

/** The CQL endpoint of the login proof (docs/ARCHITECTURE.md, section 2). */
export const cqlSchema = z
  .object({
    address: cqlAddressField,
    ...cqlClusterSchemaFields,
    tls: z.boolean({ error: "must be true or false" }).optional(),
    caCertificate: pemCertificateField.optional(),
    localDataCenter: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).optional(),
    timeoutMs: millisecondsOf(geminiDbSpec.types.GeminiDbCql.properties.timeoutMs).optional(),
  })
  .strict()
  .refine((c) => c.caCertificate === undefined || c.tls === true, {
    error: "a CA certificate is used only with tls: true",
    path: ["caCertificate"],
  });

/** A Redis or Influx endpoint of a login proof: host or host:port, TLS, a CA, a timeout. */
function endpointSchema(timeout: typeof geminiDbSpec.inputs.timeoutMs, tlsByDefault: boolean) {
  return z
    .object({
      address: cqlAddressField,
      tls: z.boolean({ error: "must be true or false" }).optional(),
      caCertificate: pemCertificateField.optional(),
      timeoutMs: millisecondsOf(timeout).optional(),
    })
    .strict()
    .refine((c) => c.caCertificate === undefined || (c.tls ?? tlsByDefault), {
      error: "a CA certificate is used only with tls: true",
      path: ["caCertificate"],
    });
}

export const redisSchema = endpointSchema(geminiDbSpec.types.GeminiDbRedis.properties.timeoutMs, true);
export const influxSchema = endpointSchema(geminiDbSpec.types.GeminiDbInflux.properties.timeoutMs, false);
export const mongoSchema = endpointSchema(geminiDbSpec.types.GeminiDbMongo.properties.timeoutMs, false);

export const geminiDbInputsSchema = z
  .object({
    region: z
      .string({ error: "must be a string" })
      .regex(REGION, { error: "must be a region name such as eu-west-101" })
      .optional(),
    projectId: z
      .string({ error: "must be a string" })
      .regex(PROJECT_ID, { error: "must be 32 lowercase hex characters" })
      .optional(),
    instanceId: z
      .string({ error: "is required and must be a string" })
      .regex(INSTANCE_ID, { error: "must be 32 hex characters followed by in and two digits" }),
    engine: z
      .string({ error: "must be a string" })
      .refine((e) => (GEMINIDB_ENGINES as readonly string[]).includes(e), {
        error: `must be one of ${GEMINIDB_ENGINES.join(", ")}`,
      })
      .optional(),
    password: z.string({ error: "must be a string" }).optional(),
    ...scheduleFields,
    endpoint: endpointField.optional(),
    iamEndpoint: endpointField.optional(),
    auth: authSchema.optional(),
    timeoutMs: millisecondsOf(geminiDbSpec.inputs.timeoutMs).optional(),
    cql: cqlSchema.optional(),
    redis: redisSchema.optional(),
    influx: influxSchema.optional(),
    mongo: mongoSchema.optional(),
  })
  .strict()
  .superRefine((i, ctx) => {
    // the password against the rule of the engine the program expects (the same rule on every
    // engine today, as Huawei publishes it)
    const policy = GEMINIDB_ENGINE_POLICY[i.engine as GeminiDbEngine] ?? GEMINIDB_PASSWORD_POLICY;
    if (i.password !== undefined) {
      for (const rule of checkPassword(i.password, policy))
        ctx.addIssue({ code: "custom", path: ["password"], message: rule });
    }
    const blocks = (Object.keys(PROOF_BLOCKS) as ProofBlock[]).filter((b) => i[b] !== undefined);
    if (blocks.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: [blocks[1]],
        message: `give one proof block: ${blocks.join(" and ")} prove different engines`,
      });
    } else if (blocks.length === 1 && i.engine && PROOF_BLOCKS[blocks[0]] !== i.engine) {
      ctx.addIssue({
        code: "custom",
        path: [blocks[0]],
        message: `proves a reset on ${PROOF_BLOCKS[blocks[0]]} instances, and engine names another engine`,
      });
    }
  });

export type GeminiDbAuthInputs = z.infer<typeof authSchema>;
export type GeminiDbCqlInputs = z.infer<typeof cqlSchema>;
export type GeminiDbRedisInputs = z.infer<typeof redisSchema>;
export type GeminiDbInfluxInputs = z.infer<typeof influxSchema>;
export type GeminiDbMongoInputs = z.infer<typeof mongoSchema>;
/**
 * The inputs as check returns them: the user's, plus `rotatedAt` and `nextRotationAt`
 * (provider/shared/schedule.ts).
 */
export type GeminiDbAdminPasswordInputs = z.infer<typeof geminiDbInputsSchema> & {
  rotatedAt?: string;
  nextRotationAt?: string;
};

// The documented argument interfaces (args.ts) and this schema name the same fields with the
// same types: a field added to one and not the other fails the build here.
const argsMatchSchema: [
  SameFields<GeminiDbAdminPasswordArgs, Inputify<z.infer<typeof geminiDbInputsSchema>>>,
  SameFields<GeminiDbAuthArgs, Inputify<GeminiDbAuthInputs>>,
  SameFields<GeminiDbCqlArgs, Inputify<GeminiDbCqlInputs>>,
  SameFields<GeminiDbRedisArgs, Inputify<GeminiDbRedisInputs>>,
  SameFields<GeminiDbInfluxArgs, Inputify<GeminiDbInfluxInputs>>,
  SameFields<GeminiDbMongoArgs, Inputify<GeminiDbMongoInputs>>,
] = [true, true, true, true, true, true];
void argsMatchSchema;

/** What the resource keeps in state. */
export interface GeminiDbAdminPasswordOutputs extends Omit<GeminiDbAdminPasswordInputs, "engine"> {
  region: string;
  projectId: string;
  /** The rwuser password now set (given or generated). Secret. */
  password: string;
  /** The GeminiDB endpoint used. */
  endpointUsed: string;
  /** When the resource last set the password (RFC 3339 UTC); absent on stacks from before it. */
  rotatedAt?: string;
  /** With a proof block: false when the last refresh found that the stored password no longer logs in. */
  passwordVerified?: boolean;
  /** The instance's engine, lower case, as the API reports it. */
  engine?: GeminiDbEngine;
  /** With `cql`: what each node showed of the last proof or refresh. */
  nodeProofs?: NodeProof[];
}
