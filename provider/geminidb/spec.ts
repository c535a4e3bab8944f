/**
 * GeminiDbAdminPassword's fields, declared once (see provider/shared/spec.ts for what is made
 * of them). Edit the text here, then run `npm run gen-sdk`.
 */
import {
  CQL_NODE_PROOF_TYPE,
  cqlClusterFields,
  nodeProofsOutput,
  LOCAL_DATA_CENTER,
  type ObjectTypeSpec,
  type ResourceSpec,
  SCHEDULE_INPUTS,
  NEXT_ROTATION_AT,
  timeoutSpec,
  ROTATED_AT,
  PASSWORD_SEED,
} from "../shared/spec";
import type { GeminiDbEngine } from "../shared/password";

/**
 * The proof blocks, each for the engine it proves a reset on (as the output `engine` names it).
 * Declared here, with the fields, so that check (schema.ts) and the proofs (proof-blocks.ts)
 * both take them from below.
 */
export const PROOF_BLOCKS = {
  cql: "cassandra",
  redis: "redis",
  influx: "influxdb",
  mongo: "mongodb",
} as const satisfies Record<string, GeminiDbEngine>;
export type ProofBlock = keyof typeof PROOF_BLOCKS;

/** The proof block the inputs give (check allows one at most), or undefined. */
export function proofBlockOf(inputs: Partial<Record<ProofBlock, unknown>>): ProofBlock | undefined {
  return (Object.keys(PROOF_BLOCKS) as ProofBlock[]).find((b) => inputs[b] !== undefined);
}

/**
 * The type of a proof block of a Redis, Influx or Mongo instance: the fields they share, with
 * their text, declared once.
 */
function proofEndpoint(p: {
  engine: string;
  proves: string;
  port: number;
  tls: { description: string; default: string };
  timeout: string;
}): ObjectTypeSpec {
  return {
    description:
      `Where this program's pipeline reaches a GeminiDB ${p.engine} instance, to prove each reset ${p.proves} ` +
      "and to check the password on refresh.",
    properties: {
      address: {
        type: "string",
        description:
          `The instance's ${p.engine} address, \`host:port\` (a private IP of the instance; port ${p.port} when ` +
          "omitted). The pipeline must reach it.",
        required: true,
      },
      tls: { type: "boolean", ...p.tls },
      caCertificate: {
        type: "string",
        description: "The CA certificate to trust for TLS, PEM: the one the GeminiDB console offers.",
        default: "the system's trusted CAs",
      },
      timeoutMs: timeoutSpec(p.timeout, 1000, 60000, 10000),
    },
  };
}

export const geminiDbSpec: ResourceSpec = {
  name: "GeminiDbAdminPassword",
  description:
    "The rwuser password of a Huawei Cloud GeminiDB instance (Cassandra, Mongo, Influx or Redis), reset with " +
    "`PUT /v3/{project_id}/instances/{instance_id}/password`. A change of `password` (or of `rotationTrigger`) " +
    "resets it again. Destroying the resource leaves the password as it is.",
  types: {
    GeminiDbCql: {
      description:
        "Where this program's pipeline reaches the instance's database over CQL, to prove each reset by a login as " +
        "rwuser and to check the password on refresh.",
      properties: {
        address: {
          type: "string",
          description:
            "A node's CQL address, `host:port` (a private IP of the instance; port 8635, GeminiDB's CQL port, when " +
            "omitted). The pipeline must reach it: from the instance's VPC, a peered network or a VPN. Each reset " +
            "is proved there and on the instance's other nodes (`nodes`, `discoverNodes`): clients connect to " +
            "every node, and each checks passwords itself.",
          required: true,
        },
        ...cqlClusterFields("cql."),
        tls: {
          type: "boolean",
          description:
            "Connect with TLS 1.2; for an instance with SSL enabled (a GeminiDB setting, changing it restarts the " +
            "instance).",
          default: "false",
        },
        caCertificate: {
          type: "string",
          description:
            "The CA certificate to trust for TLS, PEM: the one offered for download on the instance's page in the " +
            "GeminiDB console.",
          default: "the system's trusted CAs",
        },
        localDataCenter: LOCAL_DATA_CENTER,
        timeoutMs: timeoutSpec("each CQL connection attempt", 1000, 60000, 10000),
      },
    },
    [CQL_NODE_PROOF_TYPE.name]: CQL_NODE_PROOF_TYPE.spec,
    GeminiDbRedis: proofEndpoint({
      engine: "Redis",
      proves: "by `AUTH <password>` and `PING` on a fresh connection",
      port: 6379,
      tls: {
        description: "Connect with TLS; SSL is on by default on new GeminiDB Redis instances (TLS 1.3).",
        default: "true",
      },
      timeout: "each Redis connection attempt",
    }),
    GeminiDbInflux: proofEndpoint({
      engine: "Influx",
      proves: "by `SHOW DATABASES` as rwuser over HTTP(S) with basic authentication",
      port: 8635,
      tls: { description: "Use HTTPS (when SSL is enabled on the instance).", default: "false" },
      timeout: "each HTTP request to InfluxDB",
    }),
    GeminiDbMongo: proofEndpoint({
      engine: "Mongo",
      proves: "by a login as rwuser (SCRAM, `authSource=admin`)",
      port: 8635,
      tls: {
        description: "Connect with TLS (when SSL is enabled on the instance; off by default on GeminiDB Mongo).",
        default: "false",
      },
      timeout: "each Mongo login",
    }),
    GeminiDbAuth: {
      description:
        "Exactly one way to authenticate: `token`; `accessKey` + `secretKey` (+ `securityToken`); or `userName` + " +
        "`password` + `domainName`.",
      properties: {
        token: {
          type: "string",
          description: "An IAM token (sent as X-Auth-Token), scoped to the project. Secret.",
          default: "none; when `auth` is omitted, the `HW_AUTH_TOKEN` environment variable",
          secret: true,
        },
        accessKey: {
          type: "string",
          description: "Access key id for AK/SK request signing; goes with `secretKey`.",
          default: "none; when `auth` is omitted, the `HW_ACCESS_KEY` environment variable",
        },
        secretKey: {
          type: "string",
          description: "Secret access key for AK/SK request signing. Secret.",
          default: "none; when `auth` is omitted, the `HW_SECRET_KEY` environment variable",
          secret: true,
        },
        securityToken: {
          type: "string",
          description: "Security token of temporary AK/SK credentials. Secret.",
          default: "none; when `auth` is omitted, the `HW_SECURITY_TOKEN` environment variable",
          secret: true,
        },
        userName: {
          type: "string",
          description: "IAM user name, to get a token with a password (with `password` and `domainName`).",
          default: "none; when `auth` is omitted, the `HW_USER_NAME` environment variable",
        },
        password: {
          type: "string",
          description: "Password of the IAM user `userName`. Secret.",
          default: "none; when `auth` is omitted, the `HW_PASSWORD` environment variable",
          secret: true,
        },
        domainName: {
          type: "string",
          description: "Account (domain) name of the IAM user `userName`.",
          default: "none; when `auth` is omitted, the `HW_DOMAIN_NAME` environment variable",
        },
      },
    },
  },
  inputs: {
    region: {
      type: "string",
      description:
        "Huawei Cloud region, e.g. `eu-west-101`. A region this package does not know needs `endpoint`. A change " +
        "replaces the resource.",
      default: "the `HW_REGION_NAME` environment variable. One of the two is required",
      replaces: true,
    },
    projectId: {
      type: "string",
      description: "Project id, 32 lowercase hex characters. A change replaces the resource.",
      default: "the `HW_PROJECT_ID` environment variable, else looked up by region name through IAM",
      replaces: true,
    },
    instanceId: {
      type: "string",
      description: "The GeminiDB instance: 32 hex characters, `in`, two digits. A change replaces the resource.",
      required: true,
      replaces: true,
    },
    engine: {
      type: "string",
      description:
        "The engine the program expects: `cassandra`, `mongodb`, `influxdb` or `redis`. `pulumi preview` then " +
        "checks `password` and the proof block against it, and `pulumi up` fails before any reset when the " +
        "instance is another engine.",
      default: "none: any engine the API resets; the instance query says which",
    },
    password: {
      type: "string",
      description:
        "The rwuser password to set: 8 to 32 characters with at least two of uppercase letters, lowercase letters, " +
        "digits and the special characters `~!@#$%^&*()-_=+?`, and no other characters (Huawei's rule for every " +
        "engine). Secret. A change resets the password again.",
      default:
        "a 24-character random password with all four kinds of characters and only the specials " +
        "`~!@#%^*-_=+?` (valid under every published version of the rule), generated once and kept in state (a " +
        "new one on each change of `rotationTrigger`)",
      secret: true,
    },
    ...SCHEDULE_INPUTS,
    endpoint: {
      type: "string",
      description:
        "GeminiDB API endpoint, `https://host[:port]`; plain http only to a loopback host (local emulators).",
      default: "`https://gaussdb-nosql.{region}.myhuaweicloud.com` (`.eu` for eu-west-101)",
    },
    iamEndpoint: {
      type: "string",
      description: "IAM endpoint, `https://host[:port]`; plain http only to a loopback host.",
      default: "the `HW_AUTH_URL` environment variable, else `https://iam.{region}.myhuaweicloud.com`",
    },
    auth: {
      type: { object: "GeminiDbAuth" },
      description:
        "How to authenticate. Credentials given here are kept in state as secrets; those from the environment " +
        "never enter state.",
      default:
        "from the environment when an operation runs: `HW_AUTH_TOKEN`, else `HW_ACCESS_KEY`/`HW_SECRET_KEY` (and " +
        "`HW_SECURITY_TOKEN`), else `HW_USER_NAME`/`HW_PASSWORD`/`HW_DOMAIN_NAME`. Without any, `pulumi preview` " +
        "fails",
    },
    timeoutMs: timeoutSpec("each HTTP request", 1000, 120000, 30000),
    cql: {
      type: { object: "GeminiDbCql" },
      description:
        "For a Cassandra instance: prove each reset on the database itself, on every node: after the API's 204, a " +
        "login as rwuser over CQL must work with the new password and fail with the old one on each node (tried " +
        "again while the nodes' credentials caches expire, `cql.credentialsCacheMs`); a node that shows otherwise " +
        "fails the update, and one that cannot be asked leaves `passwordVerified: false` and a warning. `pulumi " +
        "refresh` then logs in with the password in state on each node and reports `passwordVerified: false` when " +
        "one refuses it (say, after a reset in the console), which the next `pulumi up` repairs.",
      default: "none: the API's answer is the only evidence, and there is no `passwordVerified`",
    },
    redis: {
      type: { object: "GeminiDbRedis" },
      description:
        "For a Redis instance: prove each reset on the database, as `cql` does (the new password logs in, the old " +
        "one is refused), with `AUTH` and `PING`; the old password is tried once per round, since GeminiDB locks " +
        "a client address out after more than five failed logins. When the old password still logs in because " +
        "the pipeline's address has password-free access (`passwordless-config`), the provider says so in the " +
        "log instead of failing: from there no password can be proved refused.",
      default: "none: the API's answer is the only evidence",
    },
    influx: {
      type: { object: "GeminiDbInflux" },
      description:
        "For an Influx instance: prove each reset on the database, as `cql` does, with `SHOW DATABASES` as rwuser " +
        "over the InfluxDB HTTP API.",
      default: "none: the API's answer is the only evidence",
    },
    mongo: {
      type: { object: "GeminiDbMongo" },
      description:
        "For a Mongo instance: prove each reset on the database, as `cql` does, with a login as rwuser (SCRAM, " +
        "`authSource=admin`) and `ping`.",
      default: "none: the API's answer is the only evidence",
    },
  },
  outputs: {
    instanceId: { type: "string", description: "The instance whose rwuser password this is.", required: true },
    projectId: {
      type: "string",
      description: "The project id used (given, from `HW_PROJECT_ID`, or looked up by region).",
      required: true,
    },
    region: { type: "string", description: "The region.", required: true },
    password: {
      type: "string",
      description: "The rwuser password now set (given or generated). Secret.",
      required: true,
      secret: true,
    },
    endpointUsed: { type: "string", description: "The GeminiDB endpoint used.", required: true },
    engine: {
      type: "string",
      description:
        "The instance's engine as the API reports it, lower case: `cassandra`, `mongodb`, `influxdb` or `redis`. " +
        "Undefined on a stack from before this output existed, until the next reset.",
    },
    rotatedAt: ROTATED_AT,
    nextRotationAt: NEXT_ROTATION_AT,
    passwordVerified: {
      type: "boolean",
      description:
        "With a proof block (`cql`, `redis`, `influx`, `mongo`): false when the last refresh found that the " +
        "password in state no longer logs in as rwuser (with `cql`: on one of the nodes), or the last reset could " +
        "not be proved on every node. Undefined without one.",
    },
    nodeProofs: nodeProofsOutput("of the instance, as rwuser (with `cql`; undefined without it)"),
  },
  state: {
    passwordSeed: PASSWORD_SEED,
  },
};
