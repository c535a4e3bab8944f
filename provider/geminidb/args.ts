/**
 * The arguments of GeminiDbAdminPassword as a user's editor shows them: each field with its
 * meaning, its default and the environment variable it falls back to. Types inferred from
 * the zod schema carry no documentation, so the fields are written out here; `schema.ts`
 * checks that these interfaces and the schema name the same fields with the same types.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Exactly one way to authenticate: `token`; `accessKey` + `secretKey` (+ `securityToken`);
 * or `userName` + `password` + `domainName`.
 */
export interface GeminiDbAuthArgs {
  /**
   * An IAM token (sent as X-Auth-Token), scoped to the project. Secret.
   *
   * Default: none; when `auth` is omitted, the `HW_AUTH_TOKEN` environment variable.
   */
  token?: pulumi.Input<string>;
  /**
   * Access key id for AK/SK request signing; goes with `secretKey`.
   *
   * Default: none; when `auth` is omitted, the `HW_ACCESS_KEY` environment variable.
   */
  accessKey?: pulumi.Input<string>;
  /**
   * Secret access key for AK/SK request signing. Secret.
   *
   * Default: none; when `auth` is omitted, the `HW_SECRET_KEY` environment variable.
   */
  secretKey?: pulumi.Input<string>;
  /**
   * Security token of temporary AK/SK credentials. Secret.
   *
   * Default: none; when `auth` is omitted, the `HW_SECURITY_TOKEN` environment variable.
   */
  securityToken?: pulumi.Input<string>;
  /**
   * IAM user name, to get a token with a password (with `password` and `domainName`).
   *
   * Default: none; when `auth` is omitted, the `HW_USER_NAME` environment variable.
   */
  userName?: pulumi.Input<string>;
  /**
   * Password of the IAM user `userName`. Secret.
   *
   * Default: none; when `auth` is omitted, the `HW_PASSWORD` environment variable.
   */
  password?: pulumi.Input<string>;
  /**
   * Account (domain) name of the IAM user `userName`.
   *
   * Default: none; when `auth` is omitted, the `HW_DOMAIN_NAME` environment variable.
   */
  domainName?: pulumi.Input<string>;
}

/** Arguments of GeminiDbAdminPassword; every field may be an Output (a secret from config). */
export interface GeminiDbAdminPasswordArgs {
  /**
   * Huawei Cloud region, e.g. `eu-west-101`. A region this package does not know needs
   * `endpoint`. A change replaces the resource.
   *
   * Default: the `HW_REGION_NAME` environment variable. One of the two is required.
   */
  region?: pulumi.Input<string>;
  /**
   * Project id, 32 lowercase hex characters. A change replaces the resource.
   *
   * Default: the `HW_PROJECT_ID` environment variable, else looked up by region name
   * through IAM.
   */
  projectId?: pulumi.Input<string>;
  /**
   * The GeminiDB Cassandra instance: 32 hex characters, `in`, two digits. A change replaces
   * the resource.
   *
   * Required.
   */
  instanceId: pulumi.Input<string>;
  /**
   * The rwuser password to set: 8 to 32 characters with uppercase, lowercase, digits and at
   * least one of `~!@#%^*-_=+?`. Secret. A change resets the password again.
   *
   * Default: a 24-character random password, generated once and kept in state (a new one
   * on each change of `rotationTrigger`).
   */
  password?: pulumi.Input<string>;
  /**
   * Any string; a change rotates the password (a new one is generated when `password` is
   * omitted).
   *
   * Default: none.
   */
  rotationTrigger?: pulumi.Input<string>;
  /**
   * Rotate the password on a schedule: once this many days (1 to 3650) have passed since
   * `rotatedAt`, the next `pulumi up` sets a new one. A generated password gets a new value;
   * a password given in config cannot be invented, so then the preview fails and asks for a
   * new secret. Not due: no change and no call to the server. Removing it stops the schedule.
   *
   * Default: none: the password changes only when `password` or `rotationTrigger` does.
   */
  rotateAfterDays?: pulumi.Input<number>;
  /**
   * GeminiDB API endpoint, `https://host[:port]`; plain http only to a loopback host (local
   * emulators).
   *
   * Default: `https://gaussdb-nosql.{region}.myhuaweicloud.com` (`.eu` for eu-west-101).
   */
  endpoint?: pulumi.Input<string>;
  /**
   * IAM endpoint, `https://host[:port]`; plain http only to a loopback host.
   *
   * Default: the `HW_AUTH_URL` environment variable, else
   * `https://iam.{region}.myhuaweicloud.com`.
   */
  iamEndpoint?: pulumi.Input<string>;
  /**
   * How to authenticate. Credentials given here are kept in state as secrets; those from the
   * environment never enter state.
   *
   * Default: from the environment when an operation runs: `HW_AUTH_TOKEN`, else
   * `HW_ACCESS_KEY`/`HW_SECRET_KEY` (and `HW_SECURITY_TOKEN`), else
   * `HW_USER_NAME`/`HW_PASSWORD`/`HW_DOMAIN_NAME`. Without any, `pulumi preview` fails.
   */
  auth?: pulumi.Input<GeminiDbAuthArgs>;
  /**
   * Timeout of each HTTP request in milliseconds, 1000 to 120000.
   *
   * Default: 30000.
   */
  timeoutMs?: pulumi.Input<number>;
}
