/**
 * A login over MongoDB's wire protocol, for the proof of a GeminiDB Mongo reset: a connection
 * of its own that authenticates as a user of the `admin` database with SCRAM (the driver
 * negotiates SCRAM-SHA-256 or SCRAM-SHA-1, as the server offers), then `ping`, then closes.
 * The official driver (`mongodb`) does the wire and SCRAM: written here it would be the
 * protocol's framing, BSON and two SCRAM variants, for one login. It loads only here, so a
 * program without a Mongo proof never loads it.
 */
import type * as Mongo from "mongodb";
import { MongoError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";

export interface MongoTarget {
  /** host:port of the server (`[v6]:port` for an IPv6 address). */
  hostPort: string;
  tls: boolean;
  /** PEM of the CA (or certificate) to trust for TLS; the system's trusted CAs otherwise. */
  caCertificate?: string;
  /** Bound of one whole login (connect, TLS, SCRAM, ping), ms. */
  timeoutMs: number;
}

/** How errors name a Mongo target: "mongo host:port[ user name]". Never a secret. */
export function mongoTargetOf(t: Pick<MongoTarget, "hostPort">, user?: string): string {
  return `mongo ${t.hostPort}${user ? ` user ${user}` : ""}`;
}

/** The server's code for failed authentication. */
const AUTHENTICATION_FAILED = 18;

const TLS_TEXT =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL|ERR_TLS|EPROTO|wrong version number|certificate|altnames/i;

let driver: typeof Mongo | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadDriver = () => (driver ??= require("mongodb") as typeof Mongo);

/** The driver's error, as a MongoError: transient unless it is TLS or the server's own refusal. */
function mongoError(err: unknown, target: MongoTarget, where: string, secrets: string[]): MongoError {
  const text = redact(safeMessage(err, secrets), secrets);
  const code = (err as { code?: unknown })?.code;
  if (TLS_TEXT.test(text)) {
    return new MongoError(`TLS handshake failed (check mongo.tls and mongo.caCertificate): ${text}`, {
      operation: "login",
      target: where,
      serverCode: "TLS",
    });
  }
  const selection = (err as { name?: string })?.name === "MongoServerSelectionError";
  // A TLS mismatch shows as no server at all: a TLS client's handshake with a plain server
  // hangs until the selection times out; a plain client's connection to a TLS server is closed.
  const closed = /closed|ECONNRESET/i.test(text);
  const hint =
    selection && target.tls && /timed out/i.test(text)
      ? " (the server may not use TLS: check mongo.tls)"
      : selection && !target.tls && closed
        ? " (the server may require TLS: check mongo.tls and mongo.caCertificate)"
        : "";
  const refused = /ECONNREFUSED/.test(text);
  return new MongoError(`database not reachable or the login could not finish${hint}: ${text}`, {
    operation: "login",
    target: where,
    serverCode:
      typeof code === "number" ? String(code) : refused ? "ECONNREFUSED" : selection ? "UNREACHABLE" : undefined,
    // a server that cannot be reached or answered with a transient state may answer later
    transient: selection || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|timed out/i.test(text),
  });
}

/**
 * Whether `username` logs in with `password` now: true, false (the server refused the
 * credentials: code 18), or a thrown MongoError when it could not be asked.
 */
export async function mongoLogin(target: MongoTarget, username: string, password: string): Promise<boolean> {
  const secrets = [password];
  const where = mongoTargetOf(target, username);
  const { MongoClient } = loadDriver();
  const client = new MongoClient(`mongodb://${target.hostPort}/`, {
    auth: { username, password },
    authSource: "admin",
    directConnection: true,
    tls: target.tls,
    ...(target.tls && target.caCertificate ? { ca: target.caCertificate } : {}),
    serverSelectionTimeoutMS: target.timeoutMs,
    connectTimeoutMS: target.timeoutMs,
    socketTimeoutMS: target.timeoutMs,
    maxPoolSize: 1,
    retryReads: false,
    retryWrites: false,
    monitorCommands: false,
  });
  try {
    await client.connect();
    await client.db("admin").command({ ping: 1 });
    return true;
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (code === AUTHENTICATION_FAILED || /Authentication failed/i.test(String((err as Error)?.message))) return false;
    throw mongoError(err, target, where, secrets);
  } finally {
    await client.close(true).catch(() => undefined);
  }
}
