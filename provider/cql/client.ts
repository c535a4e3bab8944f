/**
 * The CQL wire: the only file that talks CQL (GeminiDB for Cassandra, Apache Cassandra), with
 * the DataStax Node.js driver (`cassandra-driver`), loaded only when a resource uses CQL.
 *
 * - Cassandra authenticates a connection once, when it opens (PasswordAuthenticator); a
 *   session opened before a password change keeps working. So a login proof is a connection
 *   of its own, opened and closed: does this password log in now?
 * - A refused login is a NoHostAvailableError whose inner errors hold an AuthenticationError:
 *   `cqlLogin` answers false for it, except when the server's text says it could not check the
 *   credentials ("Unable to perform authentication: ...", the same code 0x0100, sent by a node
 *   that cannot read the role because its replicas are down): that is a transient CqlError, as
 *   everything else is (refused connection, timeout, TLS failure: transient where trying again
 *   may help). Proofs log in with provider/cql/login.ts instead, pinned to one node.
 * - Sessions for statements (`withCqlSession`) are short: connect, run, shut down. The driver
 *   syncs no schema metadata and retries nothing by itself: the caller decides what to retry.
 * - Nothing is logged; errors are redacted of every password the call carries.
 */
import type * as CassandraDriver from "cassandra-driver";
import { CqlError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";
import type { ProofBound } from "../shared/login-proof";
import { withPort } from "../shared/address";

export interface CqlTarget {
  /** host:port of the native transport. */
  hostPort: string;
  tls: boolean;
  /** PEM of the CA (or certificate) to trust for TLS; the system's trusted CAs otherwise. */
  caCertificate?: string;
  /** The data center of the contact point (the driver needs it). */
  localDataCenter: string;
  /** Connect and read timeout of each attempt, ms. */
  timeoutMs: number;
}

export interface CqlIdentity {
  username: string;
  password: string;
}

/** The native transport's port when an address gives none. */
export const CQL_PORT = 9042;
export const DEFAULT_CQL_TIMEOUT_MS = 10000;

/** A CQL endpoint as a program gives it (`connection` of CassandraRolePassword, `cql` of GeminiDbAdminPassword). */
export interface CqlEndpoint {
  /** host or host:port */
  address: string;
  tls?: boolean;
  caCertificate?: string;
  localDataCenter?: string;
  timeoutMs?: number;
}

/**
 * The one place a CQL target is made, with its defaults: `port` when the address has none, no
 * TLS, the driver's default data center `datacenter1`, 10 s per attempt.
 */
export function cqlTarget(e: CqlEndpoint, port = CQL_PORT): CqlTarget {
  return {
    hostPort: withPort(e.address, port),
    tls: e.tls ?? false,
    caCertificate: e.caCertificate,
    localDataCenter: e.localDataCenter ?? "datacenter1",
    timeoutMs: e.timeoutMs ?? DEFAULT_CQL_TIMEOUT_MS,
  };
}

/** How errors name a CQL target: "cql host:port[ role name]". Never a secret. */
export function cqlLabel(t: Pick<CqlTarget, "hostPort">, role?: string): string {
  return `cql ${t.hostPort}${role ? ` role ${role}` : ""}`;
}

let driver: typeof CassandraDriver | undefined;
function loadDriver(): typeof CassandraDriver {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (driver ??= require("cassandra-driver") as typeof CassandraDriver);
}

/**
 * A driver client for one host. `loginOnly`: connect() opens just the control connection,
 * which authenticates, and no pool connection (a second login the server would check again:
 * each check is a bcrypt hash on Cassandra's side, the cost of a proof).
 */
function clientOf(target: CqlTarget, identity: CqlIdentity, loginOnly = false): CassandraDriver.Client {
  const cassandra = loadDriver();
  return new cassandra.Client({
    contactPoints: [target.hostPort],
    localDataCenter: target.localDataCenter,
    credentials: { username: identity.username, password: identity.password },
    sslOptions: target.tls
      ? { rejectUnauthorized: true, ...(target.caCertificate ? { ca: [target.caCertificate] } : {}) }
      : undefined,
    socketOptions: { connectTimeout: target.timeoutMs, readTimeout: target.timeoutMs },
    pooling: {
      coreConnectionsPerHost: { [cassandra.types.distance.local]: 1, [cassandra.types.distance.remote]: 0 },
      warmup: !loginOnly,
    },
    isMetadataSyncEnabled: false,
    // v4, which Cassandra 3.x to 5 and GeminiDB speak: unbounded, the driver first tries DSE's
    // 0x42, is refused, and connects again
    protocolOptions: { maxVersion: cassandra.types.protocolVersion.v4 },
    policies: {
      retry: new cassandra.policies.retry.FallthroughRetryPolicy(),
      reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000),
    },
  });
}

/** The errors a connection attempt failed with, one per host, or the error itself. */
function innerErrors(err: unknown): unknown[] {
  const inner = (err as { innerErrors?: Record<string, unknown> })?.innerErrors;
  return inner && typeof inner === "object" ? Object.values(inner) : [err];
}

function isAuthenticationError(err: unknown): boolean {
  return innerErrors(err).some((e) => (e as { name?: string })?.name === "AuthenticationError");
}

/**
 * Cassandra's text for a 0x0100 it sends when it could not read the role's credentials
 * (PasswordAuthenticator: "Unable to perform authentication: Cannot achieve consistency level
 * LOCAL_QUORUM"): the node failing, not the password.
 */
const COULD_NOT_CHECK = /Unable to perform authentication/i;

/** The AuthenticationError among `err`'s inner errors that says the node could not check the credentials. */
function couldNotCheck(err: unknown): Error | undefined {
  return innerErrors(err).find(
    (e): e is Error =>
      (e as { name?: string })?.name === "AuthenticationError" && COULD_NOT_CHECK.test((e as Error).message ?? ""),
  );
}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL|ERR_TLS|EPROTO|wrong version number|certificate/i;

/** A CqlError for a failure to connect or to run a statement, without any secret. */
export function cqlError(
  err: unknown,
  operation: string,
  target: string,
  secrets: string[],
  mutating = false,
): CqlError {
  if (err instanceof CqlError) return err;
  const errors = innerErrors(err);
  const text = errors.map((e) => `${(e as { code?: string })?.code ?? ""} ${safeMessage(e, secrets)}`).join("; ");
  const code = (errors[0] as { code?: string | number })?.code;
  if (TLS_CODES.test(text)) {
    return new CqlError(`TLS handshake failed (check cql.tls and cql.caCertificate): ${redact(text, secrets).trim()}`, {
      operation,
      target,
      serverCode: "TLS",
    });
  }
  const refused = /ECONNREFUSED/.test(text);
  const timedOut = /timed? ?out|ETIMEDOUT|OperationTimedOut/i.test(text);
  const closed = /ECONNRESET|socket hang up|closed|EPIPE/i.test(text);
  const serverCode = refused
    ? "ECONNREFUSED"
    : timedOut
      ? "TIMEOUT"
      : closed
        ? "CONNECTION_CLOSED"
        : String(code ?? "");
  const hint = closed ? " (a server that expects TLS closes a plain connection: check cql.tls)" : "";
  return new CqlError(`database not reachable or call interrupted${hint}: ${redact(text, secrets).trim()}`, {
    operation,
    target,
    serverCode: serverCode || undefined,
    transient: refused || timedOut || closed,
    // a statement whose answer was lost may have been applied
    ambiguous: mutating && (timedOut || closed),
  });
}

/**
 * Whether `username` logs in with `password` now: true, false (the server refused the
 * credentials), or a thrown CqlError when the server could not be asked or could not check
 * them (transient). One connection, opened and closed.
 */
export async function cqlLogin(target: CqlTarget, username: string, password: string): Promise<boolean> {
  const client = clientOf(target, { username, password }, true);
  try {
    await client.connect();
    return true;
  } catch (err) {
    const failing = couldNotCheck(err);
    if (failing) {
      throw new CqlError(
        `the node could not check the credentials: ${redact(safeMessage(failing, [password]), [password])}`,
        { operation: "login", target: cqlLabel(target, username), serverCode: "256", transient: true },
      );
    }
    if (isAuthenticationError(err)) return false;
    throw cqlError(err, "login", cqlLabel(target, username), [password]);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/**
 * Server error codes (native protocol) that may pass by themselves: unavailable, overloaded
 * (Cassandra 5.0 also answers it to a second password change of a role within 5 s), still
 * bootstrapping, write and read timeouts.
 */
const TRANSIENT_CODES = new Set([0x1000, 0x1001, 0x1002, 0x1100, 0x1200]);
const WRITE_TIMEOUT = 0x1100;
/** The server's code for a statement its role may not run. */
export const UNAUTHORIZED = 0x2100;
/** The server's code for an invalid request (a role that does not exist, or exists already). */
export const INVALID = 0x2200;

export interface CqlSession {
  /** Runs one statement with bound values; `secrets` are kept out of any error. */
  execute(statement: string, params?: unknown[], secrets?: string[]): Promise<CassandraDriver.types.ResultSet>;
}

/** A session kept open across statements; `close` ends it. */
export interface OpenCqlSession extends CqlSession {
  close(): Promise<void>;
}

/**
 * Connects as `identity` and returns a session that stays open until `close`. A refused login
 * is a CqlError with serverCode UNAUTHENTICATED.
 */
export async function openCqlSession(target: CqlTarget, identity: CqlIdentity): Promise<OpenCqlSession> {
  const client = clientOf(target, identity);
  const where = cqlLabel(target);
  const close = () => client.shutdown().catch(() => undefined);
  try {
    await client.connect();
  } catch (err) {
    await close();
    const failing = couldNotCheck(err);
    if (failing) {
      throw new CqlError(
        `the node could not check the credentials of ${identity.username}: ` +
          redact(safeMessage(failing, [identity.password]), [identity.password]),
        { operation: "login", target: where, serverCode: "256", transient: true },
      );
    }
    if (isAuthenticationError(err)) {
      throw new CqlError(`authentication failed as ${identity.username}: check the connection username/password`, {
        operation: "login",
        target: where,
        serverCode: "UNAUTHENTICATED",
      });
    }
    throw cqlError(err, "login", where, [identity.password]);
  }
  return {
    close,
    execute: async (statement, params = [], secrets = []) => {
      try {
        return await client.execute(statement, params, { prepare: false });
      } catch (err) {
        const verb = statement.split(/\s+/).slice(0, 2).join(" ");
        const mutating = !/^(SELECT|LIST)\b/i.test(statement);
        const code = (err as { code?: number })?.code;
        if (typeof code === "number" && (err as { name?: string }).name === "ResponseError") {
          throw new CqlError(
            redact(safeMessage(err, [identity.password, ...secrets]), [identity.password, ...secrets]),
            {
              operation: verb,
              target: where,
              serverCode: String(code),
              transient: TRANSIENT_CODES.has(code),
              // a write that timed out on the server may have been applied
              ambiguous: mutating && code === WRITE_TIMEOUT,
            },
          );
        }
        throw cqlError(err, verb, where, [identity.password, ...secrets], mutating);
      }
    },
  };
}

/** Connects as `identity`, runs `fn` with a session, shuts down (see openCqlSession). */
export async function withCqlSession<T>(
  target: CqlTarget,
  identity: CqlIdentity,
  fn: (session: CqlSession) => Promise<T>,
): Promise<T> {
  const session = await openCqlSession(target, identity);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** A CQL string literal: the text in single quotes, each quote doubled (`it's` → `'it''s'`). */
export function cqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A CQL quoted identifier: the name in double quotes, each double quote doubled. */
export function cqlName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Cassandra's credentials cache per node, `credentials_validity` plus `credentials_update_interval`
 * (cassandra.yaml; 2000 + 2000 by default): how long a node may keep taking an old password, or
 * refusing a new one, after ALTER ROLE, which invalidates no cache (not even on the node that ran
 * it). The `credentialsCacheMs` input of a CQL endpoint, when omitted.
 */
export const DEFAULT_CREDENTIALS_CACHE_MS = 4000;
/** What a node's proof waits beyond its credentials cache: a login's own time on a busy node. */
export const CACHE_MARGIN_MS = 2000;

/**
 * How long a CQL login proof waits on each node for it to show a change, and its backoff
 * (provider/shared/login-proof.ts): the credentials cache and a margin (DEFAULT_CREDENTIALS_CACHE_MS,
 * CACHE_MARGIN_MS; `credentialsCacheMs` sets another cache, `cqlBound`). Measured on Cassandra
 * 5.0.9: after ALTER ROLE a node that checked the role shortly before keeps the old password,
 * and refuses the new one, until its cache lets go. So the first attempt comes at once (a node
 * without a cached entry answers it), the second a second later: each login is a bcrypt check
 * on the server, and polling every 200 ms through that second cost three logins more per proof.
 */
export const AUTH_SETTLE: ProofBound = {
  boundMs: DEFAULT_CREDENTIALS_CACHE_MS + CACHE_MARGIN_MS,
  baseDelayMs: 200,
  maxDelayMs: 2000,
  firstRetryMs: 1000,
};

/**
 * The proof bound of an endpoint: `base`'s backoff (AUTH_SETTLE, or a test's), waiting
 * `credentialsCacheMs` plus CACHE_MARGIN_MS when the endpoint gives its nodes' cache, else as
 * `base` does.
 */
export function cqlBound(base: ProofBound, credentialsCacheMs?: number): ProofBound {
  return credentialsCacheMs === undefined ? base : { ...base, boundMs: credentialsCacheMs + CACHE_MARGIN_MS };
}
