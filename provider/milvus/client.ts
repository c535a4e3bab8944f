/**
 * The Milvus wire: the only file that touches `@zilliz/milvus2-sdk-node`. The SDK is loaded
 * on first use (it costs about 0.4 s), its telemetry is off, its own retries are off (a blind
 * retry of UpdateCredential after an unknown outcome would fail with "old password not
 * correct"; the provider decides what to retry), and its debug log is never enabled.
 */
import type { MilvusClient as MilvusClientType, ClientConfig } from "@zilliz/milvus2-sdk-node";
import { MilvusError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";

export interface MilvusTarget {
  /** host:port */
  hostPort: string;
  tls: boolean;
  timeoutMs: number;
}

export interface MilvusIdentity {
  username?: string;
  password?: string;
  token?: string;
}

type Sdk = typeof import("@zilliz/milvus2-sdk-node");
let sdk: Sdk | undefined;
function loadSdk(): Sdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sdk ??= require("@zilliz/milvus2-sdk-node") as Sdk;
  return sdk;
}

/** gRPC status codes we name in errors. */
const GRPC_NAMES: Record<number, string> = {
  1: "CANCELLED",
  2: "UNKNOWN",
  4: "DEADLINE_EXCEEDED",
  7: "PERMISSION_DENIED",
  12: "UNIMPLEMENTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};

/** Failures after which we cannot know whether the server acted. */
const AMBIGUOUS = new Set([1, 2, 4, 13, 14]);

/** The legacy ErrorCode of a call refused by Milvus's rate limiter (common.proto RateLimit). */
const RATE_LIMIT = 49;

/** The Milvus status code for "old password not correct". */
export const OLD_PASSWORD_NOT_CORRECT = 1400;

interface Status {
  error_code?: string | number;
  reason?: string;
  code?: number | string;
}

/** How errors name a Milvus target: "milvus host:port[ user name]". Never a secret. */
export function targetOf(t: MilvusTarget, user?: string): string {
  return `milvus ${t.hostPort}${user ? ` user ${user}` : ""}`;
}

/**
 * Maps anything an SDK call threw into a MilvusError without secrets. `mutating` says
 * whether the call changes state: a transport failure during such a call is ambiguous.
 */
export function toMilvusError(err: unknown, operation: string, target: string, secrets: string[], mutating: boolean): MilvusError {
  if (err instanceof MilvusError) return err;
  const e = err as { code?: unknown; details?: string; message?: string };
  const code = typeof e?.code === "number" ? e.code : undefined;
  const name = code !== undefined ? GRPC_NAMES[code] ?? `grpc ${code}` : undefined;
  const text = safeMessage(err, secrets);
  if (code === 16) {
    return new MilvusError("authentication failed: check the connection username/password or token", { operation, target, serverCode: name });
  }
  if (code === 7) {
    return new MilvusError("permission denied: the connection user lacks the privilege for this call", { operation, target, serverCode: name });
  }
  const resetLike = /ECONNRESET|socket hang up|Connection dropped|RST_STREAM|ended by the server/i.test(text);
  const refused = /ECONNREFUSED|No connection established|ENOTFOUND|EAI_AGAIN/i.test(text);
  const transport = (code !== undefined && AMBIGUOUS.has(code)) || resetLike || refused;
  // A refused connection never reached the server: not ambiguous even for a mutating call.
  const ambiguous = mutating && transport && !(refused && !resetLike);
  return new MilvusError(transport ? `server not reachable or call interrupted: ${text}` : text, {
    operation,
    target,
    serverCode: name,
    transient: transport,
    ambiguous,
  });
}

function checkStatus(status: Status | undefined, operation: string, target: string, secrets: string[]): void {
  if (!status || (status.error_code === undefined && status.code === undefined)) {
    throw new MilvusError("the server answered with an empty status (is the RPC implemented by this server?)", { operation, target, serverCode: "EMPTY_REPLY" });
  }
  const code = Number(status.code ?? 0);
  if (status.error_code === "Success" && code === 0) return;
  const reason = redact(String(status.reason ?? ""), secrets) || "no reason given";
  // Rate limiting refuses the call before it acts: safe to try again later.
  const rateLimited = status.error_code === "RateLimit" || status.error_code === RATE_LIMIT;
  throw new MilvusError(reason, { operation, target, serverCode: code ? String(code) : String(status.error_code), transient: rateLimited });
}

/** One connection to Milvus as one identity. Always `close()` it. */
export class MilvusSession {
  private constructor(
    private readonly client: MilvusClientType,
    readonly target: MilvusTarget,
    private readonly secrets: string[],
  ) {}

  /** Connect (Connect RPC) and authenticate; rejects with MilvusError, never crashes the process. */
  static async open(target: MilvusTarget, identity: MilvusIdentity, extraSecrets: string[] = []): Promise<MilvusSession> {
    const { MilvusClient } = loadSdk();
    const secrets = [identity.password, identity.token, ...extraSecrets].filter((s): s is string => !!s);
    const config: ClientConfig = {
      address: target.hostPort,
      ssl: target.tls,
      username: identity.username,
      password: identity.password,
      token: identity.token,
      timeout: target.timeoutMs,
      maxRetries: 0,
      logLevel: "error",
      telemetry: { enabled: false },
      // grpc-js shares one connection per address across the process (sessions reuse it),
      // and its reconnect backoff with it. Capped, so that after an outage the sessions of
      // later resources in the same run reach the server again within a second or two
      // (the default grows to two minutes).
      channelOptions: { "grpc.initial_reconnect_backoff_ms": 250, "grpc.max_reconnect_backoff_ms": 2000 },
    };
    let client: MilvusClientType;
    try {
      client = new MilvusClient(config);
    } catch (err) {
      throw toMilvusError(err, "Connect", targetOf(target, identity.username), secrets, false);
    }
    // The constructor connects eagerly; without a handler a failed connect is an unhandled rejection.
    const connected = client.connectPromise.then(
      () => undefined,
      (err: unknown) => err ?? new Error("connect failed"),
    );
    const failure = await connected;
    const session = new MilvusSession(client, target, secrets);
    if (failure !== undefined) {
      await session.close();
      throw toMilvusError(failure, "Connect", targetOf(target, identity.username), secrets, false);
    }
    return session;
  }

  /**
   * One RPC: transport failures and non-success statuses both become MilvusErrors, redacted
   * of the session's credentials and of `extraSecrets` (the passwords the call carries).
   */
  private async call<T>(
    operation: string,
    user: string | undefined,
    mutating: boolean,
    extraSecrets: string[],
    fn: () => Promise<T>,
    statusOf: (res: T) => Status | undefined,
  ): Promise<T> {
    const secrets = [...this.secrets, ...extraSecrets];
    const target = targetOf(this.target, user);
    let res: T;
    try {
      res = await fn();
    } catch (err) {
      throw toMilvusError(err, operation, target, secrets, mutating);
    }
    checkStatus(statusOf(res), operation, target, secrets);
    return res;
  }

  /** ListCredUsers: the names of all users. */
  async listUsers(): Promise<string[]> {
    const res = await this.call("ListCredUsers", undefined, false, [], () => this.client.listUsers(), (r) => r.status);
    return res.usernames ?? [];
  }

  /** CreateCredential: a new user with a password. */
  async createUser(user: string, password: string): Promise<void> {
    await this.call("CreateCredential", user, true, [password], () => this.client.createUser({ username: user, password }), (r) => r);
  }

  /** UpdateCredential: from the old password to the new one (the server checks the old one). */
  async updatePassword(user: string, oldPassword: string, newPassword: string): Promise<void> {
    await this.call("UpdateCredential", user, true, [oldPassword, newPassword], () => this.client.updateUser({ username: user, oldPassword, newPassword }), (r) => r);
  }

  /** DeleteCredential: removes the user. */
  async deleteUser(user: string): Promise<void> {
    await this.call("DeleteCredential", user, true, [], () => this.client.deleteUser({ username: user }), (r) => r);
  }

  async close(): Promise<void> {
    try {
      await this.client.closeConnection();
    } catch {
      // closing is best effort
    }
  }
}

/**
 * Whether `user` can log in with `password`: true, false (the server said UNAUTHENTICATED),
 * or a thrown MilvusError when the server could not be asked.
 */
export async function canLogin(target: MilvusTarget, user: string, password: string): Promise<boolean> {
  let session: MilvusSession | undefined;
  try {
    session = await MilvusSession.open(target, { username: user, password });
    // Connect proves the login only where the server implements it; one authenticated call
    // settles it everywhere. PERMISSION_DENIED still means the credentials were accepted.
    try {
      await session.listUsers();
    } catch (err) {
      if (!(err instanceof MilvusError && err.serverCode === "PERMISSION_DENIED")) throw err;
    }
    return true;
  } catch (err) {
    if (err instanceof MilvusError && err.serverCode === "UNAUTHENTICATED") return false;
    throw err;
  } finally {
    await session?.close();
  }
}
