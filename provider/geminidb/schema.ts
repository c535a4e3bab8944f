/**
 * Inputs of GeminiDbAdminPassword, as one zod schema; the TypeScript types come from it.
 */
import { z } from "zod";
import { isLoopbackHost } from "../shared/env";
import { millisecondsField, rotationTriggerField } from "../shared/fields";
import { GEMINIDB_PASSWORD_POLICY, checkPassword } from "../shared/password";
import { PROJECT_ID, REGION } from "./regions";

/** GeminiDB instance ids: 32 hex characters, "in", two digits (e.g. ...dae8in06). */
const INSTANCE_ID = /^[0-9a-f]{32}in\d{2}$/;

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
    /** An IAM token (X-Auth-Token), scoped to the project. */
    token: nonEmpty("token").optional(),
    /** Access key id for AK/SK signing. */
    accessKey: nonEmpty("accessKey").optional(),
    /** Secret access key for AK/SK signing. */
    secretKey: nonEmpty("secretKey").optional(),
    /** Security token of temporary AK/SK credentials. */
    securityToken: nonEmpty("securityToken").optional(),
    /** IAM user name, to get a token with a password. */
    userName: nonEmpty("userName").optional(),
    /** IAM user password. */
    password: nonEmpty("password").optional(),
    /** Account (domain) name of the IAM user. */
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

export const geminiDbInputsSchema = z
  .object({
    /** Huawei Cloud region, e.g. `eu-west-101`. Default: `HW_REGION_NAME`. */
    region: z
      .string({ error: "must be a string" })
      .regex(REGION, { error: "must be a region name such as eu-west-101" })
      .optional(),
    /** Project id (32 hex characters). Default: `HW_PROJECT_ID`, else looked up by region name through IAM. */
    projectId: z
      .string({ error: "must be a string" })
      .regex(PROJECT_ID, { error: "must be 32 lowercase hex characters" })
      .optional(),
    /** GeminiDB Cassandra instance id (32 hex characters, "in", two digits). */
    instanceId: z
      .string({ error: "is required and must be a string" })
      .regex(INSTANCE_ID, { error: "must be 32 hex characters followed by in and two digits" }),
    /** The rwuser password to set. Omit it to have one generated (rotated by `rotationTrigger`). */
    password: z
      .string({ error: "must be a string" })
      .superRefine((pw, ctx) => {
        for (const rule of checkPassword(pw, GEMINIDB_PASSWORD_POLICY)) ctx.addIssue({ code: "custom", message: rule });
      })
      .optional(),
    /** Any string; a change rotates the password (a new one is generated when `password` is omitted). */
    rotationTrigger: rotationTriggerField.optional(),
    /** GeminiDB API endpoint override, e.g. `https://gaussdb-nosql.eu-west-101.myhuaweicloud.eu`. */
    endpoint: endpointField.optional(),
    /** IAM endpoint override. Default: `HW_AUTH_URL`, else `https://iam.{region}.myhuaweicloud.com`. */
    iamEndpoint: endpointField.optional(),
    /**
     * How to authenticate. Default: from the environment, `HW_AUTH_TOKEN`, else
     * `HW_ACCESS_KEY`/`HW_SECRET_KEY` (and `HW_SECURITY_TOKEN`), else
     * `HW_USER_NAME`/`HW_PASSWORD`/`HW_DOMAIN_NAME`.
     */
    auth: authSchema.optional(),
    /** Timeout of each HTTP request in milliseconds (1000–120000). Default 30000. */
    timeoutMs: millisecondsField(1000, 120000).optional(),
  })
  .strict();

export type GeminiDbAuthInputs = z.infer<typeof authSchema>;
export type GeminiDbAdminPasswordInputs = z.infer<typeof geminiDbInputsSchema>;

/** What the resource keeps in state. */
export interface GeminiDbAdminPasswordOutputs extends GeminiDbAdminPasswordInputs {
  region: string;
  projectId: string;
  /** The rwuser password now set (given or generated). Secret. */
  password: string;
  /** The GeminiDB endpoint used. */
  endpointUsed: string;
}
