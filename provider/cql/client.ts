/**
 * The CQL targets, identities and errors of GeminiDB for Cassandra and Apache Cassandra, and the
 * sessions that run a CassandraRolePassword's statements (`openCqlSession`, `withCqlSession`).
 * The wire itself is provider/cql/login.ts: the native protocol's login, then QUERY frames on
 * the same connection. No driver: a DataStax driver session also opens a control connection that
 * reads system.local and system.peers before the first statement, and loading the driver costs a
 * provider process 85 ms (bench/README.md); an operation needs one login and its statements.
 *
 * - Cassandra authenticates a connection once, when it opens (PasswordAuthenticator); a
 *   session opened before a password change keeps working. So a login proof is a connection
 *   of its own, opened and closed: does this password log in now? (login.ts, nodes.ts)
 * - An operation's statements share one session; the connection identity's is kept idle for
 *   the process's next operation (`openCqlSession`'s `reuse`). Nothing is retried here: the
 *   caller decides what to retry.
 * - Nothing is logged; errors are redacted of every password the call carries.
 */
import * as crypto from "crypto";
import { CqlError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";
import type { ProofBound } from "../shared/login-proof";
import { withPort } from "../shared/address";
import { CqlNodeSession, CqlRows, cqlNodeOf, cqlNodeSession } from "./login";

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

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL|ERR_TLS|EPROTO|wrong version number|certificate/i;

/** A CqlError for a socket's failure to connect or to run a statement (login.ts), without any secret. */
export function cqlError(
  err: unknown,
  operation: string,
  target: string,
  secrets: string[],
  mutating = false,
): CqlError {
  if (err instanceof CqlError) return err;
  const code = (err as { code?: string | number })?.code;
  const text = `${code ?? ""} ${safeMessage(err, secrets)}`;
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

/** The server's code for a statement its role may not run. */
export const UNAUTHORIZED = 0x2100;
/** The server's code for an invalid request (a role that does not exist, or exists already). */
export const INVALID = 0x2200;

export interface CqlSession {
  /**
   * Runs one statement, its values written in it (literals quoted by cqlString, names by
   * cqlName): its rows, each a record by column name. `secrets` are kept out of any error.
   */
  execute(statement: string, secrets?: string[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** A session kept open across statements; `close` ends it. */
export interface OpenCqlSession extends CqlSession {
  close(): Promise<void>;
}

/** The rows of a result as records by column name. */
function records(result: CqlRows): Array<Record<string, unknown>> {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
}

/**
 * Logs in on the target's node as `identity` and returns a session that stays open until
 * `close` (provider/cql/login.ts's cqlNodeSession: one connection, one login). A refused login
 * is a CqlError with serverCode UNAUTHENTICATED; a node that could not check it, a transient one
 * with code 256. A statement's failure is the server's answer with its code (transient,
 * ambiguous for a write timeout) or a lost connection (ambiguous when the statement writes).
 *
 * `reuse` (the connection identity's sessions, provider/cassandra/adapter.ts): `close` keeps
 * the connection, idle, for the next operation of this process with the same node and identity,
 * which then needs no login of its own (each login costs the node a connection and a bcrypt
 * check: `up` and `destroy` of 60 roles opened 60 of them for the statements alone). See
 * IDLE_SESSIONS.
 */
export async function openCqlSession(
  target: CqlTarget,
  identity: CqlIdentity,
  options: { reuse?: boolean } = {},
): Promise<OpenCqlSession> {
  const where = cqlLabel(target);
  const key = options.reuse ? sessionKey(target, identity) : undefined;
  const session =
    (key && takeIdle(key)) ||
    (await cqlNodeSession(cqlNodeOf(target), identity.username, identity.password, target.timeoutMs, where).catch(
      (err: unknown) => {
        if (err instanceof CqlError && err.serverCode === "UNAUTHENTICATED") {
          throw new CqlError(`authentication failed as ${identity.username}: check the connection username/password`, {
            operation: "login",
            target: where,
            serverCode: "UNAUTHENTICATED",
          });
        }
        throw err;
      },
    ));
  let closed = false;
  return {
    close: async () => {
      if (closed) return;
      closed = true;
      if (key) keepIdle(key, session);
      else session.close();
    },
    execute: async (statement, secrets = []) => ({ rows: records(await session.execute(statement, secrets)) }),
  };
}

/**
 * The idle sessions a process keeps (openCqlSession's `reuse`): at most `perKey` for one node and
 * identity (Pulumi runs a provider's operations side by side: as many connections as ran at
 * once), each closed after `idleMs` unused, or at once when the node closes it (a restart). An
 * idle connection does not hold the process open. The key holds digests, never a password.
 * Cassandra checks a password when a connection opens, not after: a session kept across a change
 * of the identity's own password keeps working, as a driver's pool would, for `idleMs` at most.
 */
export const IDLE_SESSIONS = { perKey: 16, idleMs: 5000 };

const idleSessions = new Map<string, Array<{ session: CqlNodeSession; timer: NodeJS.Timeout }>>();

const digest = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

function sessionKey(target: CqlTarget, identity: CqlIdentity): string {
  return JSON.stringify([
    target.hostPort,
    target.tls,
    digest(target.caCertificate ?? ""),
    identity.username,
    digest(identity.password),
  ]);
}

function takeIdle(key: string): CqlNodeSession | undefined {
  const kept = idleSessions.get(key) ?? [];
  for (let next = kept.pop(); next; next = kept.pop()) {
    clearTimeout(next.timer);
    if (next.session.open) {
      next.session.idle(false);
      return next.session;
    }
    next.session.close();
  }
  idleSessions.delete(key);
  return undefined;
}

function keepIdle(key: string, session: CqlNodeSession): void {
  const kept = idleSessions.get(key) ?? [];
  if (!session.open || kept.length >= IDLE_SESSIONS.perKey) return session.close();
  session.idle(true);
  const entry = {
    session,
    timer: setTimeout(() => {
      const i = kept.indexOf(entry);
      if (i >= 0) kept.splice(i, 1);
      if (kept.length === 0 && idleSessions.get(key) === kept) idleSessions.delete(key);
      session.close();
    }, IDLE_SESSIONS.idleMs).unref(),
  };
  kept.push(entry);
  idleSessions.set(key, kept);
}

/** Closes every idle session of this process (tests; a process that ends closes them anyway). */
export function closeIdleSessions(): void {
  for (const kept of idleSessions.values()) {
    for (const { session, timer } of kept) {
      clearTimeout(timer);
      session.close();
    }
  }
  idleSessions.clear();
}

/**
 * Connects as `identity`, runs `fn` with a session, closes it (see openCqlSession; with `reuse`,
 * the process's idle session of that node and identity, kept idle again after).
 */
export async function withCqlSession<T>(
  target: CqlTarget,
  identity: CqlIdentity,
  fn: (session: CqlSession) => Promise<T>,
  options: { reuse?: boolean } = {},
): Promise<T> {
  const session = await openCqlSession(target, identity, options);
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
