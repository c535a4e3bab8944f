/**
 * MilvusUserPassword's fields, declared once (see provider/shared/spec.ts for what is made
 * of them). Edit the text here, then run `npm run gen-sdk`.
 */
import {
  type ResourceSpec,
  SCHEDULE_INPUTS,
  NEXT_ROTATION_AT,
  timeoutSpec,
  ROTATED_AT,
  PASSWORD_VERIFIED,
  PASSWORD_SEED,
} from "../shared/spec";

export const milvusSpec: ResourceSpec = {
  name: "MilvusUserPassword",
  description:
    "The password of one Milvus user, set with the Milvus UpdateCredential RPC. A change of `password` (or of " +
    "`rotationTrigger`) rotates it, using the old password from state. Destroying the resource leaves the user " +
    "and its password as they are unless `deleteUserOnDestroy` is set.",
  types: {
    MilvusConnection: {
      description: "How the provider reaches Milvus and whom it logs in as.",
      properties: {
        address: {
          type: "string",
          description:
            "Milvus address: `host:port`, `http://host:port` or `https://host:port` (https means TLS); port 19530 " +
            "when omitted. A change replaces the resource.",
          default: "the `MILVUS_URI` environment variable. One of the two is required",
          replaces: true,
        },
        username: {
          type: "string",
          description:
            "The user the provider logs in as to set the password; it needs the right to change other users' " +
            "passwords (e.g. `root`), and to create or delete users for `createIfMissing` and `deleteUserOnDestroy`.",
          default:
            "the `MILVUS_USER` environment variable; without either (and without a token), the managed user logs " +
            "in itself with its old password: Milvus lets a user change its own",
        },
        password: {
          type: "string",
          description: "Password of `username`. Secret.",
          default: "the `MILVUS_PASSWORD` environment variable",
          secret: true,
        },
        token: {
          type: "string",
          description:
            "An API key or a `user:password` token, instead of `username` and `password` (not both). Secret.",
          default: "the `MILVUS_TOKEN` environment variable",
          secret: true,
        },
        tls: {
          type: "boolean",
          description: "Use TLS.",
          default: "true for an `https://` address, false otherwise",
        },
        timeoutMs: timeoutSpec("each call to Milvus", 1000, 300000, 15000),
      },
    },
  },
  inputs: {
    connection: {
      type: { object: "MilvusConnection" },
      description: "How to reach Milvus and whom to log in as.",
      default: "from the environment, `MILVUS_URI` and `MILVUS_USER`/`MILVUS_PASSWORD` or `MILVUS_TOKEN`",
    },
    user: {
      type: "string",
      description:
        "The Milvus user whose password this resource manages: a letter, then letters, digits or underscores, at " +
        "most 32 characters. A change replaces the resource.",
      required: true,
      replaces: true,
    },
    password: {
      type: "string",
      description:
        "The password to set: 8 to 64 printable ASCII characters with at least three of uppercase, lowercase, " +
        "digits and special characters. Secret. A change rotates the password, using the old one from state.",
      default:
        "a 32-character random password, generated once and kept in state (a new one on each change of " +
        "`rotationTrigger`)",
      secret: true,
    },
    currentPassword: {
      type: "string",
      description:
        "The password the user has before this resource manages it: needed on the first run when the user already " +
        "exists with another password, and to recover when the password was changed outside Pulumi. Secret.",
      default: "none",
      secret: true,
    },
    createIfMissing: {
      type: "boolean",
      description: "Create the user when it does not exist (needs an admin identity in `connection`).",
      default: "false: a missing user is an error",
    },
    deleteUserOnDestroy: {
      type: "boolean",
      description: "Delete the user when the resource is destroyed.",
      default: "false: `pulumi destroy` leaves the user and its password as they are",
    },
    ...SCHEDULE_INPUTS,
    standbyUser: {
      type: "string",
      description:
        "A second user for rotation without downtime: the two users take turns. Each rotation sets the new password " +
        "on the user that is not active, gives it exactly the roles of the active one, and makes it active " +
        "(`activeUser`); the previously active user keeps its password, so services still logged in with it keep " +
        "working for one more rotation period. Same name rules as `user`, must differ from it; a change replaces " +
        "the resource. Needs an admin identity in `connection` (or `MILVUS_USER`/`MILVUS_TOKEN`).",
      default:
        "none: one user, whose password changes in place (services holding the old password fail from the " +
        "rotation until they get the new one)",
      replaces: true,
    },
  },
  outputs: {
    user: { type: "string", description: "The managed Milvus user.", required: true },
    password: {
      type: "string",
      description: "The password the user has now (given or generated). Secret.",
      required: true,
      secret: true,
    },
    address: {
      type: "string",
      description: "The Milvus address, resolved from the input or `MILVUS_URI`.",
      required: true,
    },
    passwordVerified: PASSWORD_VERIFIED,
    rotatedAt: ROTATED_AT,
    nextRotationAt: NEXT_ROTATION_AT,
    activeUser: {
      type: "string",
      description:
        "With `standbyUser`: the user services should log in as now, with `password`. Undefined without a standby " +
        "user (then it is always `user`).",
    },
  },
  state: {
    passwordSeed: PASSWORD_SEED,
    standbyPassword: {
      type: "string",
      description:
        "With `standbyUser`: the password of the user that is not active, which the next rotation needs as its old " +
        "one. Secret.",
      secret: true,
    },
  },
};
