/**
 * The error family. Every error names the operation and its target and carries the
 * server's code and request id when there is one. None of them ever holds a secret:
 * messages are built from names, codes and fixed text, and server text passes through
 * `redact` before it is kept.
 */

export interface ErrorDetails {
  /** What we were doing, e.g. "UpdateCredential" or "reset password". */
  operation: string;
  /** What we were doing it to, e.g. "milvus 127.0.0.1:19530 user app". Never a secret. */
  target?: string;
  /** The server's own code (Milvus error code, gRPC status name, DBS.xxxxxx). */
  serverCode?: string;
  /** HTTP status, where there is one. */
  httpStatus?: number;
  /** The server's request id (X-Request-Id), for support tickets. */
  requestId?: string;
  /** True when the failure may pass by itself and a retry is safe. */
  transient?: boolean;
  /** True when we cannot tell whether the server applied the change. */
  ambiguous?: boolean;
  /** Milliseconds the server asked us to wait (Retry-After). */
  retryAfterMs?: number;
  /**
   * A change that was made and then failed (say, its proof): what the resource is now, so that
   * state records the change while the operation still fails (Pulumi's initialization failure).
   */
  partial?: { id: string; properties: Record<string, unknown> };
}

export abstract class DbPasswordError extends Error {
  readonly operation: string;
  readonly target?: string;
  readonly serverCode?: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly transient: boolean;
  readonly ambiguous: boolean;
  readonly retryAfterMs?: number;
  /** With `partial`: the resource's id and outputs, and the reason, as Pulumi's providers report them. */
  readonly id?: string;
  declare readonly properties?: Record<string, unknown>;
  readonly reasons?: string[];

  constructor(message: string, details: ErrorDetails) {
    super(formatMessage(message, details));
    this.name = new.target.name;
    this.operation = details.operation;
    this.target = details.target;
    this.serverCode = details.serverCode;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.transient = details.transient ?? false;
    this.ambiguous = details.ambiguous ?? false;
    this.retryAfterMs = details.retryAfterMs;
    if (details.partial) {
      this.id = details.partial.id;
      this.reasons = [this.message];
      // The outputs hold the new password: not enumerable, so that no inspection or
      // serialization of the error (a log line, a test's report) shows them. Pulumi's
      // provider hosts read them by name and send them to the CLI as state.
      Object.defineProperty(this, "properties", { value: details.partial.properties, enumerable: false });
    }
  }
}

function formatMessage(message: string, d: ErrorDetails): string {
  const parts = [`${d.operation}${d.target ? ` (${d.target})` : ""}: ${message}`];
  const meta: string[] = [];
  if (d.httpStatus !== undefined) meta.push(`http ${d.httpStatus}`);
  if (d.serverCode) meta.push(`code ${d.serverCode}`);
  if (d.requestId) meta.push(`request id ${d.requestId}`);
  if (meta.length) parts.push(`[${meta.join(", ")}]`);
  return parts.join(" ");
}

/** A failure reported by (or while talking to) a Milvus server. */
export class MilvusError extends DbPasswordError {}

/** A failure reported by (or while talking to) Huawei Cloud IAM or GeminiDB. */
export class GeminiDbError extends DbPasswordError {}

/** A failure reported by (or while talking to) a database over CQL (GeminiDB, Cassandra). */
export class CqlError extends DbPasswordError {}

/** The inputs or the environment do not allow the operation; nothing was sent. */
export class ConfigError extends DbPasswordError {
  /** The input property at fault, as a dotted path. */
  readonly property?: string;
  constructor(message: string, details: ErrorDetails & { property?: string }) {
    super(message, details);
    this.property = details.property;
  }
}

/** Returns true when `err` is worth another try according to its own classification. */
export function isTransient(err: unknown): boolean {
  return err instanceof DbPasswordError && err.transient;
}

/** A failure while talking to a database over RESP (GeminiDB for Redis, Redis). */
export class RedisError extends DbPasswordError {}

/** A failure while talking to a database over InfluxDB 1.x's HTTP API (GeminiDB for Influx, InfluxDB). */
export class InfluxError extends DbPasswordError {}

/** A failure while talking to a database over MongoDB's wire protocol (GeminiDB for Mongo). */
export class MongoError extends DbPasswordError {}
