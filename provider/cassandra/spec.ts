/**
 * CassandraRolePassword's fields, declared once (see provider/shared/spec.ts for what is made
 * of them). Edit the text here, then run `npm run gen-sdk`.
 */
import {
  CQL_NODE_PROOF_TYPE,
  cqlClusterFields,
  nodeProofsOutput,
  LOCAL_DATA_CENTER,
  type ResourceSpec,
  SCHEDULE_INPUTS,
  NEXT_ROTATION_AT,
  timeoutSpec,
  PASSWORD_VERIFIED,
  PASSWORD_SEED,
} from "../shared/spec";

export const cassandraSpec: ResourceSpec = {
  name: "CassandraRolePassword",
  description:
    "The password of one Cassandra role (GeminiDB for Cassandra, Apache Cassandra, any CQL database with " +
    "PasswordAuthenticator), set with ALTER ROLE and proved by a login. A change of `password` (or of " +
    "`rotationTrigger`) rotates it. With `standbyRole`, two roles take turns, so that a rotation causes no " +
    "downtime. Destroying the resource leaves the role and its password as they are unless `deleteRoleOnDestroy` " +
    "is set.",
  types: {
    CassandraConnection: {
      description: "How the provider reaches the database over CQL and whom it logs in as.",
      properties: {
        address: {
          type: "string",
          description:
            "A node's CQL address, `host:port` (port 9042 when omitted; GeminiDB for Cassandra listens on 8635): " +
            "the statements run there, and each change is proved there and on the cluster's other nodes " +
            "(`nodes`, `discoverNodes`). A change replaces the resource.",
          default: "the `CASSANDRA_ADDRESS` environment variable. One of the two is required",
          replaces: true,
        },
        ...cqlClusterFields("connection."),
        username: {
          type: "string",
          description:
            "The role the provider logs in as to set the password: a superuser, or a role with ALTER on the managed " +
            "role (and CREATE, DROP and AUTHORIZE for `createIfMissing`, `deleteRoleOnDestroy` and `standbyRole`). " +
            "On GeminiDB, `rwuser`.",
          default:
            "the `CASSANDRA_USERNAME` environment variable; without either, the managed role logs in itself with its " +
            "old password: a role may change its own",
        },
        password: {
          type: "string",
          description: "Password of `username`. Secret.",
          default: "the `CASSANDRA_PASSWORD` environment variable",
          secret: true,
        },
        tls: {
          type: "boolean",
          description: "Connect with TLS (on GeminiDB: when SSL is enabled on the instance).",
          default: "false",
        },
        caCertificate: {
          type: "string",
          description: "The CA certificate to trust for TLS, PEM (on GeminiDB: the one the console offers).",
          default: "the system's trusted CAs",
        },
        localDataCenter: LOCAL_DATA_CENTER,
        timeoutMs: timeoutSpec("each CQL connection and statement", 1000, 60000, 10000),
      },
    },
    [CQL_NODE_PROOF_TYPE.name]: CQL_NODE_PROOF_TYPE.spec,
  },
  inputs: {
    connection: {
      type: { object: "CassandraConnection" },
      description: "How to reach the database and whom to log in as.",
      default: "from the environment, `CASSANDRA_ADDRESS` and `CASSANDRA_USERNAME`/`CASSANDRA_PASSWORD`",
    },
    role: {
      type: "string",
      description:
        "The role whose password this resource manages: a lowercase letter, then lowercase letters, digits or " +
        "underscores, at most 64 characters (a role created without quotes is stored in lowercase). A change " +
        "replaces the resource.",
      required: true,
      replaces: true,
    },
    password: {
      type: "string",
      description:
        "The password to set: 8 to 256 printable ASCII characters with at least three of uppercase, lowercase, " +
        "digits and special characters (a quote is fine). Secret. A change rotates the password.",
      default:
        "a 32-character random password, generated once and kept in state (a new one on each change of " +
        "`rotationTrigger`)",
      secret: true,
    },
    currentPassword: {
      type: "string",
      description:
        "The password the role has before this resource manages it: needed without a connection identity (the role " +
        "changes its own password with it), and to recover when the password was changed outside Pulumi. Secret.",
      default: "none",
      secret: true,
    },
    createIfMissing: {
      type: "boolean",
      description:
        "Create the role when it does not exist, as a LOGIN role (never a superuser); needs a connection identity " +
        "with CREATE on all roles.",
      default: "false: a missing role is an error",
    },
    deleteRoleOnDestroy: {
      type: "boolean",
      description: "Drop the role (both roles, with `standbyRole`) when the resource is destroyed.",
      default: "false: `pulumi destroy` leaves the role and its password as they are",
    },
    ...SCHEDULE_INPUTS,
    standbyRole: {
      type: "string",
      description:
        "A second role for rotation without downtime: the two roles take turns. Each rotation sets the new password " +
        "on the role that is not active, gives it exactly the roles and permissions of the active one, and makes " +
        "it active (`activeRole`); the previously active role keeps its password, so services that reconnect " +
        "with it keep working for one more rotation period. Same name rules as `role`, must differ from it; a " +
        "change replaces the resource. Needs a connection identity that may create roles and grant them.",
      default:
        "none: one role, whose password changes in place (services that reconnect with the old password fail from " +
        "the rotation until they get the new one)",
      replaces: true,
    },
  },
  outputs: {
    role: { type: "string", description: "The managed role.", required: true },
    password: {
      type: "string",
      description: "The password the role has now (given or generated). Secret.",
      required: true,
      secret: true,
    },
    address: {
      type: "string",
      description: "The CQL address, resolved from the input or `CASSANDRA_ADDRESS`.",
      required: true,
    },
    passwordVerified: {
      ...PASSWORD_VERIFIED,
      description:
        "False when the last change was not proved on every node (one could not be asked: the log names it), or " +
        "the last refresh found that the password in state no longer logs in on one (`nodeProofs` says where); " +
        "the next `pulumi up` sets it again and proves it.",
    },
    nodeProofs: nodeProofsOutput("of the cluster (with `standbyRole`, of both roles' passwords)"),
    rotatedAt: {
      type: "string",
      description:
        "When this resource last set the password, RFC 3339 UTC (e.g. `2026-11-25T06:40:12Z`); `rotateAfterDays` " +
        "counts from it.",
    },
    nextRotationAt: NEXT_ROTATION_AT,
    activeRole: {
      type: "string",
      description:
        "With `standbyRole`: the role services should log in as now, with `password`. Undefined without a standby " +
        "role (then it is always `role`).",
    },
  },
  state: {
    passwordSeed: PASSWORD_SEED,
    standbyPassword: {
      type: "string",
      description:
        "With `standbyRole`: the password of the role that is not active, which the next rotation keeps working " +
        "for one period. Secret.",
      secret: true,
    },
  },
};
