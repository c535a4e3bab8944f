/**
 * The Milvus wire: the only file that talks to Milvus. It speaks gRPC with `@grpc/grpc-js`
 * and the message definitions that `@zilliz/milvus2-sdk-node` ships, without the SDK's client:
 *
 * - One channel per (address, TLS) per process serves every resource and every identity.
 *   Milvus authenticates each call from its `authorization` metadata, so credentials travel
 *   per call: an admin call, a login proof (does this password log in?) and a self-service
 *   change are each one call on the shared channel. (The SDK's client carries one identity
 *   and loads the whole proto on construction, 230–570 ms of CPU each time.)
 * - The definitions load once per process, and only the messages of the methods used
 *   (GetVersion, the four credential methods, and SelectUser/OperateUserRole for the roles of
 *   a standby user) are built: about 15 ms instead of about
 *   250 ms for the whole of milvus.proto.
 * - No call is ever retried by the transport (gRPC retries and service configs are off): a
 *   blind retry of UpdateCredential after an unknown outcome would fail with "old password
 *   not correct"; the provider decides what to retry. The one exception is a call that never
 *   left this process (no connection could be established): it waits, within its timeout and
 *   at most RECONNECT_WAIT_MS, for the channel to reconnect, and is sent once more.
 * - Nothing is logged; errors are redacted of every password the call carries.
 */
import type * as grpcTypes from "@grpc/grpc-js";
import * as path from "path";
import type * as protobufTypes from "protobufjs";
import { MilvusError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";
import { retry } from "../shared/retry";

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

// ---------------------------------------------------------------- definitions

const SERVICE = "milvus.proto.milvus.MilvusService";
const METHODS = [
  "GetVersion",
  "ListCredUsers",
  "CreateCredential",
  "UpdateCredential",
  "DeleteCredential",
  "SelectUser",
  "OperateUserRole",
] as const;
/** Messages the methods' requests and responses refer to (the role calls' entities). */
const NESTED_TYPES = ["UserResult", "UserEntity", "RoleEntity", "OperateUserRoleType"];
type Method = (typeof METHODS)[number];

/** A decoded protobuf reply; each field is checked where it is read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reply = any;

interface Codec {
  path: string;
  encode(request: object): Buffer;
  decode(bytes: Buffer): Reply;
}

interface Wire {
  grpc: typeof grpcTypes;
  codecs: Record<Method, Codec>;
}

let wire: Wire | undefined;

/**
 * Where the SDK keeps the message definitions of milvus.proto, as protobufjs JSON: a module
 * beside its main entry. The SDK exports no name for them (its package has no `exports` map,
 * its main entry exports only its clients and helpers, and the only way its public API reaches
 * the definitions is a MilvusClient, which loads the whole SDK, about 0.2 s of CPU, and
 * connects), and it ships no `.proto` files. So the module is found from the public main
 * entry's location (`require.resolve` of the package, which loads nothing) rather than by a
 * deep specifier, which an `exports` map in a later SDK would refuse; it is a data module
 * (one object literal, no code of the SDK runs). loadWire checks that it has what we call.
 */
function protoJsonPath(): string {
  return path.join(path.dirname(require.resolve("@zilliz/milvus2-sdk-node")), "proto-json", "milvus.js");
}

/**
 * Loads gRPC and the credential methods' definitions from the SDK's proto JSON: the method
 * signatures of MilvusService, their request and response messages, and the `common`
 * package they refer to. Once per process, at the first call: a step that calls no Milvus (a
 * preview, a diff, a destroy that keeps the user) loads none of it.
 */
function loadWire(): Wire {
  if (wire) return wire;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grpc = require("@grpc/grpc-js") as typeof grpcTypes;
  const protobuf = require("protobufjs") as typeof protobufTypes;
  const full = require(protoJsonPath()).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const proto = full?.nested?.milvus?.nested?.proto?.nested;
  const missing = METHODS.filter((m) => !proto?.milvus?.nested?.MilvusService?.methods?.[m]);
  if (missing.length > 0) {
    throw new MilvusError(
      `the installed @zilliz/milvus2-sdk-node has no definition of ${missing.join(", ")} (at ${protoJsonPath()})`,
      { operation: "load", serverCode: "SDK_DEFINITIONS" },
    );
  }
  const service = proto.milvus.nested.MilvusService;
  const messages: Record<string, protobufTypes.AnyNestedObject> = {};
  for (const m of METHODS) {
    for (const type of [service.methods[m].requestType, service.methods[m].responseType] as string[]) {
      if (!type.includes(".")) messages[type] = proto.milvus.nested[type];
    }
  }
  for (const type of NESTED_TYPES) messages[type] = proto.milvus.nested[type];
  const root = protobuf.Root.fromJSON({
    nested: {
      google: full.nested.google,
      milvus: { nested: { proto: { nested: { common: proto.common, milvus: { nested: messages } } } } },
    },
  });
  root.resolveAll();
  const typeOf = (name: string) =>
    root.lookupType(name.includes(".") ? `milvus.proto.${name}` : `milvus.proto.milvus.${name}`);
  const codecs = {} as Record<Method, Codec>;
  for (const m of METHODS) {
    const req = typeOf(service.methods[m].requestType);
    const res = typeOf(service.methods[m].responseType);
    codecs[m] = {
      path: `/${SERVICE}/${m}`,
      encode: (request) => {
        const bytes = req.encode(req.fromObject(request)).finish();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      decode: (bytes) => res.toObject(res.decode(bytes), { longs: String, enums: String, defaults: true }),
    };
  }
  wire = { grpc, codecs };
  return wire;
}

// ---------------------------------------------------------------- channels

/**
 * How long a call that never left this process waits for its channel to reconnect before it
 * fails (bounded by the call's own timeout too). Longer than the reconnect backoff cap, so
 * that after a server restart the next call finds the server instead of the backoff.
 */
export const RECONNECT_WAIT_MS = 3000;

const channels = new Map<string, grpcTypes.Client>();
/** Channels opened by this process so far (for tests and benchmarks: one per address). */
export const wireStats = { channelsOpened: 0 };

function channelFor(target: MilvusTarget): grpcTypes.Client {
  const key = `${target.tls ? "tls" : "plain"}:${target.hostPort}`;
  let channel = channels.get(key);
  if (!channel) {
    const { grpc } = loadWire();
    channel = new grpc.Client(
      target.hostPort,
      target.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(),
      {
        // Reconnect soon after an outage (the default backoff grows to two minutes).
        "grpc.initial_reconnect_backoff_ms": 250,
        "grpc.max_reconnect_backoff_ms": 2000,
        // No transport retries, and no service config from DNS that could turn them on.
        "grpc.enable_retries": 0,
        "grpc.service_config_disable_resolution": 1,
      },
    );
    channels.set(key, channel);
    wireStats.channelsOpened++;
  }
  return channel;
}

/** The `authorization` metadata Milvus reads: base64 of the token or of `user:password`. */
function authMetadata(identity: MilvusIdentity): grpcTypes.Metadata {
  const metadata = new (loadWire().grpc.Metadata)();
  const auth =
    identity.token ??
    (identity.username && identity.password ? `${identity.username}:${identity.password}` : undefined);
  if (auth) metadata.set("authorization", Buffer.from(auth, "utf8").toString("base64"));
  return metadata;
}

/** True for a call that failed before it was sent: no connection could be established. */
function neverSent(err: unknown): boolean {
  const e = err as { code?: number; details?: string };
  return e?.code === 14 && /No connection established/i.test(e.details ?? "");
}

function unaryOnce(
  channel: grpcTypes.Client,
  codec: Codec,
  request: object,
  metadata: grpcTypes.Metadata,
  timeoutMs: number,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    channel.makeUnaryRequest(
      codec.path,
      codec.encode,
      codec.decode,
      request,
      metadata,
      { deadline: Date.now() + timeoutMs },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

async function unary(
  target: MilvusTarget,
  method: Method,
  request: object,
  metadata: grpcTypes.Metadata,
): Promise<Reply> {
  const channel = channelFor(target);
  const codec = loadWire().codecs[method];
  const started = Date.now();
  try {
    return await unaryOnce(channel, codec, request, metadata, target.timeoutMs);
  } catch (err) {
    const waitMs = Math.min(target.timeoutMs, RECONNECT_WAIT_MS) - (Date.now() - started);
    if (!neverSent(err) || waitMs <= 0) throw err;
    const ready = await new Promise<boolean>((resolve) =>
      channel.waitForReady(Date.now() + waitMs, (e) => resolve(!e)),
    );
    if (!ready) throw err;
    return unaryOnce(channel, codec, request, metadata, target.timeoutMs);
  }
}

// ---------------------------------------------------------------- errors

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
 * Maps anything a call threw into a MilvusError without secrets. `mutating` says whether the
 * call changes state: a transport failure during such a call is ambiguous.
 */
export function toMilvusError(
  err: unknown,
  operation: string,
  target: string,
  secrets: string[],
  mutating: boolean,
): MilvusError {
  if (err instanceof MilvusError) return err;
  const e = err as { code?: unknown; details?: string; message?: string };
  const code = typeof e?.code === "number" ? e.code : undefined;
  const name = code !== undefined ? (GRPC_NAMES[code] ?? `grpc ${code}`) : undefined;
  const text = safeMessage(err, secrets);
  if (code === 16) {
    return new MilvusError("authentication failed: check the connection username/password or token", {
      operation,
      target,
      serverCode: name,
    });
  }
  if (code === 7) {
    return new MilvusError("permission denied: the connection user lacks the privilege for this call", {
      operation,
      target,
      serverCode: name,
    });
  }
  if (code === 12) {
    // A server without this RPC (e.g. one without users, like milvus-lite).
    return new MilvusError("the server answered with an empty status (is the RPC implemented by this server?)", {
      operation,
      target,
      serverCode: "EMPTY_REPLY",
    });
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
    throw new MilvusError("the server answered with an empty status (is the RPC implemented by this server?)", {
      operation,
      target,
      serverCode: "EMPTY_REPLY",
    });
  }
  const code = Number(status.code ?? 0);
  if (status.error_code === "Success" && code === 0) return;
  const reason = redact(String(status.reason ?? ""), secrets) || "no reason given";
  // Rate limiting refuses the call before it acts: safe to try again later.
  const rateLimited = status.error_code === "RateLimit" || status.error_code === RATE_LIMIT;
  throw new MilvusError(reason, {
    operation,
    target,
    serverCode: code ? String(code) : String(status.error_code),
    transient: rateLimited,
  });
}

// ---------------------------------------------------------------- calls

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * Calls to one Milvus as one identity, over the process's shared channel to that address.
 * Making one costs nothing on the wire: each method is one RPC carrying the identity.
 */
export class MilvusSession {
  private readonly metadata: grpcTypes.Metadata;
  private readonly secrets: string[];

  constructor(
    readonly target: MilvusTarget,
    identity: MilvusIdentity,
    extraSecrets: string[] = [],
  ) {
    this.metadata = authMetadata(identity);
    this.secrets = [identity.password, identity.token, ...extraSecrets].filter((s): s is string => !!s);
  }

  /**
   * One RPC: transport failures and non-success statuses both become MilvusErrors, redacted
   * of the session's credentials and of `extraSecrets` (the passwords the call carries).
   */
  private async call(
    method: Method,
    user: string | undefined,
    mutating: boolean,
    extraSecrets: string[],
    request: object,
  ): Promise<Reply> {
    const secrets = [...this.secrets, ...extraSecrets];
    const target = targetOf(this.target, user);
    let res: Reply;
    try {
      res = await unary(this.target, method, request, this.metadata);
    } catch (err) {
      throw toMilvusError(err, method, target, secrets, mutating);
    }
    const wrapped = method === "ListCredUsers" || method === "GetVersion" || method === "SelectUser";
    checkStatus(wrapped ? res?.status : res, method, target, secrets);
    return res;
  }

  /** GetVersion: authenticated like every call, and allowed to any user (no privilege). */
  async version(): Promise<string> {
    const res = await this.call("GetVersion", undefined, false, [], {});
    return res.version ?? "";
  }

  /** ListCredUsers: the names of all users. */
  async listUsers(): Promise<string[]> {
    const res = await this.call("ListCredUsers", undefined, false, [], {});
    return res.usernames ?? [];
  }

  /** CreateCredential: a new user with a password. */
  async createUser(user: string, password: string): Promise<void> {
    await this.call("CreateCredential", user, true, [password], { username: user, password: b64(password) });
  }

  /** UpdateCredential: from the old password to the new one (the server checks the old one). */
  async updatePassword(user: string, oldPassword: string, newPassword: string): Promise<void> {
    await this.call("UpdateCredential", user, true, [oldPassword, newPassword], {
      username: user,
      oldPassword: b64(oldPassword),
      newPassword: b64(newPassword),
    });
  }

  /** DeleteCredential: removes the user. */
  async deleteUser(user: string): Promise<void> {
    await this.call("DeleteCredential", user, true, [], { username: user });
  }

  /** SelectUser with role info: the names of the roles bound to `user`, sorted. */
  async userRoles(user: string): Promise<string[]> {
    const res = await this.call("SelectUser", user, false, [], { user: { name: user }, include_role_info: true });
    const roles = (res.results ?? []).flatMap((r: { roles?: Array<{ name?: string }> }) => r.roles ?? []);
    return [...new Set<string>(roles.map((r: { name?: string }) => r.name ?? ""))].filter(Boolean).sort();
  }

  /** OperateUserRole: binds `role` to `user` (grant) or unbinds it (revoke). */
  async setUserRole(user: string, role: string, bound: boolean): Promise<void> {
    await this.call("OperateUserRole", user, true, [], {
      username: user,
      role_name: role,
      type: bound ? "AddUserToRole" : "RemoveUserFromRole",
    });
  }
}

/** Bounds of the retries of calls that only read (login proofs, user lists). */
export const READ_RETRY = { maxAttempts: 3, maxElapsedMs: 10000, baseDelayMs: 100, maxDelayMs: 1000 };

/** Runs a call that only reads, again after a transient failure (within READ_RETRY). */
export async function readRetry<T>(read: () => Promise<T>): Promise<T> {
  const { value } = await retry(read, {
    ...READ_RETRY,
    classify: (err) => ({ retry: err instanceof MilvusError && err.transient }),
  });
  return value;
}

/**
 * Whether `user` can log in with `password`: true, false (the server said UNAUTHENTICATED),
 * or a thrown MilvusError when the server could not be asked. One authenticated call that
 * any user may make: GetVersion (a server without it is asked ListCredUsers instead, where
 * PERMISSION_DENIED still means the credentials were accepted). A successful proof raises
 * no error on either side, which matters at N resources: every gRPC error costs a stack.
 */
export async function canLogin(target: MilvusTarget, user: string, password: string): Promise<boolean> {
  const session = new MilvusSession(target, { username: user, password });
  return readRetry(async () => {
    try {
      await session.version().catch((err: unknown) => {
        if (err instanceof MilvusError && err.serverCode === "EMPTY_REPLY") return session.listUsers();
        throw err;
      });
      return true;
    } catch (err) {
      if (err instanceof MilvusError && err.serverCode === "PERMISSION_DENIED") return true;
      if (err instanceof MilvusError && err.serverCode === "UNAUTHENTICATED") return false;
      throw err;
    }
  });
}
