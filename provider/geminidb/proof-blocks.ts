/**
 * What each proof block logs in with: after the API's 2xx, the database itself must show a
 * reset (reset-proof.ts). rwuser logs in with the new password, and no longer with the old one,
 * waited for within the block's bound (provider/shared/login-proof.ts). Per block, its port, TLS
 * default, bound and client (loaded only for the block the inputs give):
 *
 * - `cql` (Cassandra): a CQL login on every node of the instance, each on a connection of its
 *   own (provider/cql/nodes.ts: `address`, `nodes`, and the peers `address` knows): clients
 *   connect to every node, and each node's credentials cache can keep the old password working,
 *   or the new one refused, for a while (AUTH_SETTLE, `credentialsCacheMs`). docs/clusters.md.
 * - `redis`: `AUTH <password>` and `PING` on a fresh connection. GeminiDB locks a client address
 *   out for a few seconds after more than five failed AUTHs, so the rounds are a second apart
 *   or more, and the old password is asked once per round.
 * - `influx`: `SHOW DATABASES` as rwuser over the InfluxDB HTTP API with basic auth.
 * - `mongo`: a SCRAM login as rwuser of `admin`, then `ping`, over MongoDB's wire protocol.
 */
import { AUTH_SETTLE, cqlBound, cqlLabel, cqlTarget } from "../cql/client";
import { withPort } from "../shared/address";
import { cqlNodes } from "../cql/nodes";
import { CqlError, DbPasswordError, InfluxError, MongoError, RedisError } from "../shared/errors";
import type { GeminiDbEngine } from "../shared/password";
import type { Login, NodeLogin, ProofBound } from "../shared/login-proof";
import type { GeminiDbAdminPasswordInputs as Inputs } from "./schema";
import { PROOF_BLOCKS, type ProofBlock, proofBlockOf } from "./spec";

/** The role whose password the GeminiDB API resets. */
export const RWUSER = "rwuser";

/** GeminiDB's ports when an address gives none: CQL, Influx and Mongo on 8635, Redis on 6379. */
export const GEMINIDB_CQL_PORT = 8635;
export const GEMINIDB_INFLUX_PORT = 8635;
export const GEMINIDB_MONGO_PORT = 8635;
export const GEMINIDB_REDIS_PORT = 6379;
const DEFAULT_TIMEOUT_MS = 10000;

/** How long a Redis proof keeps asking: rounds a second apart or more, so as not to be locked out. */
export const REDIS_SETTLE: ProofBound = { boundMs: 8000, baseDelayMs: 1000, maxDelayMs: 4000, firstRetryMs: 1000 };
/** InfluxDB applies SET PASSWORD to the next request; a short backoff covers a node that lags. */
export const INFLUX_SETTLE: ProofBound = { boundMs: 8000, baseDelayMs: 250, maxDelayMs: 2000 };
/** Mongo checks credentials at each connection; a short backoff covers a node that lags. */
export const MONGO_SETTLE: ProofBound = { boundMs: 8000, baseDelayMs: 250, maxDelayMs: 2000 };

/** What a proof needs of its block: rwuser's logins, the bound, a label and the block's error type. */
export interface BlockProof {
  block: ProofBlock;
  engine: GeminiDbEngine;
  login: Login;
  bound: ProofBound;
  /** How errors name where the proof logs in ("redis 10.0.0.5:6379"). Never a secret. */
  where: string;
  /** host:port of the database, for the password-free check. */
  hostPort: string;
  error(message: string, options: ConstructorParameters<typeof DbPasswordError>[1]): DbPasswordError;
  /**
   * `cql`: every node to prove on, each with rwuser's logins there (`passwords`: what rwuser may
   * log in with now, for the discovery of the nodes), resolved once; and what the user should
   * read about them (a discovery that failed). Without it the proof logs in at `hostPort` only.
   */
  nodes?(passwords: string[]): Promise<NodeLogin[]>;
  notes?(): string[];
}

/** The endpoint of a Redis, Influx or Mongo proof block, as its client takes it. */
interface Endpoint {
  hostPort: string;
  tls: boolean;
  caCertificate?: string;
  timeoutMs: number;
}

/* eslint-disable @typescript-eslint/no-require-imports */
/** Per block besides cql: its port, whether TLS is on by default, its bound, and its client (loaded on use). */
const ENDPOINT_BLOCKS = {
  redis: {
    port: GEMINIDB_REDIS_PORT,
    tls: true,
    bound: REDIS_SETTLE,
    error: RedisError,
    client: (t: Endpoint) => {
      const { redisLogin, redisTargetOf } = require("../redis/client") as typeof import("../redis/client");
      return { login: (pw: string) => redisLogin(t, pw), where: redisTargetOf(t) };
    },
  },
  influx: {
    port: GEMINIDB_INFLUX_PORT,
    tls: false,
    bound: INFLUX_SETTLE,
    error: InfluxError,
    client: (t: Endpoint) => {
      const { influxLogin, influxTargetOf } = require("../influx/client") as typeof import("../influx/client");
      return { login: (pw: string) => influxLogin(t, RWUSER, pw), where: influxTargetOf(t, RWUSER) };
    },
  },
  mongo: {
    port: GEMINIDB_MONGO_PORT,
    tls: false,
    bound: MONGO_SETTLE,
    error: MongoError,
    client: (t: Endpoint) => {
      const { mongoLogin, mongoTargetOf } = require("../mongo/client") as typeof import("../mongo/client");
      return { login: (pw: string) => mongoLogin(t, RWUSER, pw), where: mongoTargetOf(t, RWUSER) };
    },
  },
} as const;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The proof of the inputs' block; undefined without one. Loads the block's client only. */
export function blockProof(inputs: Partial<Inputs>, settle?: ProofBound): BlockProof | undefined {
  const block = proofBlockOf(inputs);
  if (!block) return undefined;
  if (block === "cql") {
    const given = inputs.cql!;
    const target = cqlTarget(given, GEMINIDB_CQL_PORT);
    const bound = cqlBound(settle ?? AUTH_SETTLE, given.credentialsCacheMs);
    const nodes = cqlNodes(target, given, bound);
    return {
      block,
      engine: "cassandra",
      login: nodes.contactLogin(RWUSER).login,
      bound,
      where: cqlLabel(target, RWUSER),
      hostPort: target.hostPort,
      error: (m, o) => new CqlError(m, o),
      nodes: (passwords) =>
        nodes.logins(RWUSER, () => [...new Set(passwords)].map((password) => ({ username: RWUSER, password }))),
      notes: () => nodes.notes(),
    };
  }
  const kind = ENDPOINT_BLOCKS[block];
  const given = inputs[block]!;
  const target: Endpoint = {
    hostPort: withPort(given.address, kind.port),
    tls: given.tls ?? kind.tls,
    caCertificate: given.caCertificate,
    timeoutMs: given.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const { login, where } = kind.client(target);
  return {
    block,
    engine: PROOF_BLOCKS[block],
    login,
    bound: settle ?? kind.bound,
    where,
    hostPort: target.hostPort,
    error: (m, o) => new kind.error(m, o),
  };
}
