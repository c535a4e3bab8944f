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
