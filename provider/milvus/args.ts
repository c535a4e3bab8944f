/**
 * The arguments of MilvusUserPassword as a user's editor shows them: each field with its
 * meaning, its default and the environment variable it falls back to. Types inferred from
 * the zod schema carry no documentation, so the fields are written out here; `schema.ts`
 * checks that these interfaces and the schema name the same fields with the same types.
 */
import type * as pulumi from "@pulumi/pulumi";

/** How the provider reaches Milvus and whom it logs in as. */
export interface MilvusConnectionArgs {
  /**
   * Milvus address: `host:port`, `http://host:port` or `https://host:port` (https means
   * TLS); port 19530 when omitted. A change replaces the resource.
   *
   * Default: the `MILVUS_URI` environment variable. One of the two is required.
   */
  address?: pulumi.Input<string>;
  /**
   * The user the provider logs in as to set the password; it needs the right to change other
   * users' passwords (e.g. `root`), and to create or delete users for `createIfMissing` and
   * `deleteUserOnDestroy`.
   *
   * Default: the `MILVUS_USER` environment variable; without either (and without a token),
   * the managed user logs in itself with its old password: Milvus lets a user change its own.
   */
  username?: pulumi.Input<string>;
  /**
   * Password of `username`. Secret.
   *
   * Default: the `MILVUS_PASSWORD` environment variable.
   */
  password?: pulumi.Input<string>;
  /**
   * An API key or a `user:password` token, instead of `username` and `password` (not both).
   * Secret.
   *
   * Default: the `MILVUS_TOKEN` environment variable.
   */
  token?: pulumi.Input<string>;
  /**
   * Use TLS.
   *
   * Default: true for an `https://` address, false otherwise.
   */
  tls?: pulumi.Input<boolean>;
  /**
   * Timeout of each call to Milvus in milliseconds, 1000 to 300000.
   *
   * Default: 15000.
   */
  timeoutMs?: pulumi.Input<number>;
}

/** Arguments of MilvusUserPassword; every field may be an Output (a secret from config). */
export interface MilvusUserPasswordArgs {
  /**
   * How to reach Milvus and whom to log in as.
   *
   * Default: from the environment, `MILVUS_URI` and `MILVUS_USER`/`MILVUS_PASSWORD` or
   * `MILVUS_TOKEN`.
   */
  connection?: pulumi.Input<MilvusConnectionArgs>;
  /**
   * The Milvus user whose password this resource manages: a letter, then letters, digits or
   * underscores, at most 32 characters. A change replaces the resource.
   *
   * Required.
   */
  user: pulumi.Input<string>;
  /**
   * The password to set: 8 to 64 printable ASCII characters with at least three of
   * uppercase, lowercase, digits and special characters. Secret. A change rotates the
   * password, using the old one from state.
   *
   * Default: a 32-character random password, generated once and kept in state (a new one
   * on each change of `rotationTrigger`).
   */
  password?: pulumi.Input<string>;
  /**
   * The password the user has before this resource manages it: needed on the first run when
   * the user already exists with another password, and to recover when the password was
   * changed outside Pulumi. Secret.
   *
   * Default: none.
   */
  currentPassword?: pulumi.Input<string>;
  /**
   * Create the user when it does not exist (needs an admin identity in `connection`).
   *
   * Default: false: a missing user is an error.
   */
  createIfMissing?: pulumi.Input<boolean>;
  /**
   * Delete the user when the resource is destroyed.
   *
   * Default: false: `pulumi destroy` leaves the user and its password as they are.
   */
  deleteUserOnDestroy?: pulumi.Input<boolean>;
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
   * A second user for rotation without downtime: the two users take turns. Each rotation
   * sets the new password on the user that is not active, gives it exactly the roles of the
   * active one, and makes it active (`activeUser`); the previously active user keeps its
   * password, so services still logged in with it keep working for one more rotation
   * period. Same name rules as `user`, must differ from it; a change replaces the resource.
   * Needs an admin identity in `connection` (or `MILVUS_USER`/`MILVUS_TOKEN`).
   *
   * Default: none: one user, whose password changes in place (services holding the old
   * password fail from the rotation until they get the new one).
   */
  standbyUser?: pulumi.Input<string>;
}
