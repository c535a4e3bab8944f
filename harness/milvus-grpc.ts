/**
 * A Milvus test server speaking milvus.proto.milvus.MilvusService over real gRPC, with the
 * SDK's own proto. It keeps users and passwords like Milvus 2.3 does (base64 passwords,
 * old password checked on UpdateCredential with code 1400, 6–256 bytes for a new password,
 * only root may list, create and delete users, a user may change its own password) and
 * answers auth failures with UNAUTHENTICATED. A TCP front lets faults reset connections
 * for real. Faults are scripted per method and consumed one per call; every call is counted.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import milvusProtoJson from "@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus";
import * as net from "net";
import { FaultOf } from "./faults";
import { MILVUS_DEFAULT_ROOT } from "./fixtures";
import { sleep } from "./support";

/** Milvus's own error answer: a common.Status. */
export interface MilvusStatus {
  code: number;
  error_code: string;
  reason: string;
}

/** The faults this server takes (harness/faults says what each does). */
export type MilvusFault = FaultOf<
  | "unavailable"
  | "hang"
  | "applyThenDelay"
  | "delay"
  | "drop"
  | "applyThenDrop"
  | "status"
  | "grpc"
  | "empty"
  | "fakeSuccess"
  | "restartAfter",
  MilvusStatus
>;

const MILVUS_SERVICE = (milvusProtoJson as any).nested.milvus.nested.proto.nested.milvus.nested.MilvusService;

/**
 * Whether `method` answers with a bare common.Status (the credential and role changes), or
 * with a message that carries one in its `status` field (Connect, GetVersion, ListCredUsers,
 * SelectUser, ...): as milvus.proto declares it.
 */
export function replyIsStatus(method: string): boolean {
  return MILVUS_SERVICE.methods[method]?.responseType === "common.Status";
}

type Handler = (req: any, caller: string | undefined) => any;

let cachedService: grpc.ServiceDefinition | undefined;
function service(): grpc.ServiceDefinition {
  if (!cachedService) {
    const def = protoLoader.fromJSON(milvusProtoJson as unknown as Parameters<typeof protoLoader.fromJSON>[0], {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(def) as any;
    cachedService = pkg.milvus.proto.milvus.MilvusService.service as grpc.ServiceDefinition;
  }
  return cachedService;
}

/** Scripted waits do not hold a finished test run open. */
const UNREF = { unref: true };

const OK = { error_code: "Success", reason: "", code: 0 };
const fail = (error_code: string, code: number, reason: string) => ({ error_code, code, reason });

export class MilvusTestServer {
  /** name → password, as the server holds them. */
  readonly users = new Map<string, string>([[MILVUS_DEFAULT_ROOT.username, MILVUS_DEFAULT_ROOT.password]]);
  /** roles that exist, and user -> roles bound to it. */
  readonly roles = new Set<string>(["admin", "public"]);
  readonly userRoles = new Map<string, Set<string>>();
  /** calls seen per method (faulted ones included). */
  readonly calls: Record<string, number> = {};
  /** every `authorization` header seen, for leak checks of the wire. */
  readonly seenAuth: string[] = [];
  private readonly faults = new Map<string, MilvusFault[]>();
  private server = new grpc.Server();
  private front?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  /** Milliseconds each unfaulted RPC takes, as over a real network (0: answers at once). */
  latencyMs = 0;
  /** set true to answer every RPC as if auth were disabled (no credentials needed). */
  authDisabled = false;

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Queues faults for the next calls of `method`, one per call. */
  inject(method: string, ...faults: MilvusFault[]): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...faults]);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  count(method: string): number {
    return this.calls[method] ?? 0;
  }

  resetCounts(): void {
    for (const k of Object.keys(this.calls)) delete this.calls[k];
  }

  /** Stops listening: new connections are refused (ECONNREFUSED) until `acceptConnections`. */
  async refuseConnections(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.front!.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async acceptConnections(): Promise<void> {
    if (this.front!.listening) return;
    await new Promise<void>((resolve) => this.front!.listen(this.port, "127.0.0.1", resolve));
  }

  /** Restarts so far (the restartAfter fault). */
  restarts = 0;

  /** TCP connections accepted so far, and how many are open now. */
  readonly connections = { accepted: 0, open: 0, maxOpen: 0 };

  /** Resets every open client connection (TCP RST). */
  dropConnections(): void {
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  async start(): Promise<void> {
    const handlers: Record<string, Handler> = {
      Connect: () => ({ status: OK, server_info: { build_tags: "test-server" }, identifier: 1 }),
      GetVersion: () => ({ status: OK, version: "v2.3.5-test" }),
      CheckHealth: () => ({ status: OK, isHealthy: true }),
      ListCredUsers: (_req, caller) => {
        if (caller !== "root")
          throw { code: grpc.status.PERMISSION_DENIED, details: "PrivilegeSelectUser: permission deny" };
        return { status: OK, usernames: [...this.users.keys()] };
      },
      CreateCredential: (req, caller) => {
        if (caller !== "root")
          throw { code: grpc.status.PERMISSION_DENIED, details: "PrivilegeCreateUser: permission deny" };
        const pw = Buffer.from(req.password, "base64").toString("utf8");
        if (this.users.has(req.username))
          return fail("CreateCredentialFailure", 65535, `user already exists: ${req.username}`);
        if (pw.length < 6 || pw.length > 256) return fail("IllegalArgument", 1100, "invalid password length");
        this.users.set(req.username, pw);
        return OK;
      },
      UpdateCredential: (req, caller) => {
        if (caller !== "root" && caller !== req.username)
          throw { code: grpc.status.PERMISSION_DENIED, details: "PrivilegeUpdateUser: permission deny" };
        const oldPw = Buffer.from(req.oldPassword, "base64").toString("utf8");
        const newPw = Buffer.from(req.newPassword, "base64").toString("utf8");
        if (newPw.length < 6 || newPw.length > 256) return fail("IllegalArgument", 1100, "invalid password length");
        if (this.users.get(req.username) !== oldPw)
          return fail("UnexpectedError", 1400, `old password not correct for ${req.username}: not authenticated`);
        this.users.set(req.username, newPw);
        return OK;
      },
      DeleteCredential: (req, caller) => {
        if (caller !== "root")
          throw { code: grpc.status.PERMISSION_DENIED, details: "PrivilegeDropUser: permission deny" };
        this.users.delete(req.username);
        this.userRoles.delete(req.username);
        return OK;
      },
      SelectUser: (req, caller) => {
        const name = req.user?.name ?? "";
        if (caller !== "root" && caller !== name)
          throw { code: grpc.status.PERMISSION_DENIED, details: "PrivilegeSelectUser: permission deny" };
        if (!this.users.has(name)) return { status: OK, results: [] };
        const roles = [...(this.userRoles.get(name) ?? [])].map((r) => ({ name: r }));
        return { status: OK, results: [{ user: { name }, roles }] };
      },
      OperateUserRole: (req, caller) => {
        if (caller !== "root")
          throw { code: grpc.status.PERMISSION_DENIED, details: "PrivilegeManageOwnership: permission deny" };
        if (!this.users.has(req.username)) return fail("OperateUserRoleFailure", 65535, "the user does not exist");
        if (!this.roles.has(req.role_name)) return fail("OperateUserRoleFailure", 65535, "the role does not exist");
        const bound = this.userRoles.get(req.username) ?? new Set<string>();
        if (req.type === "RemoveUserFromRole") bound.delete(req.role_name);
        else bound.add(req.role_name);
        this.userRoles.set(req.username, bound);
        return OK;
      },
    };

    const impl: grpc.UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(handlers)) {
      impl[method] = (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
        void this.handle(method, handler, call, callback);
      };
    }
    this.server.addService(service(), impl);
    const innerPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    this.front = net.createServer((client) => {
      const upstream = net.connect(innerPort, "127.0.0.1");
      this.sockets.add(client);
      this.connections.accepted++;
      this.connections.open++;
      this.connections.maxOpen = Math.max(this.connections.maxOpen, this.connections.open);
      client.on("close", () => {
        this.connections.open--;
        this.sockets.delete(client);
        upstream.destroy();
      });
      upstream.on("close", () => client.destroy());
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.front!.listen(0, "127.0.0.1", resolve));
    this.port = (this.front.address() as net.AddressInfo).port;
  }

  private authenticate(call: grpc.ServerUnaryCall<any, any>): string | undefined | null {
    const header = call.metadata.get("authorization")[0];
    if (typeof header === "string") this.seenAuth.push(header);
    if (this.authDisabled) return undefined;
    if (typeof header !== "string" || header === "") return null;
    const decoded = Buffer.from(header, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i < 0) return null;
    const user = decoded.slice(0, i);
    return this.users.get(user) === decoded.slice(i + 1) ? user : null;
  }

  /** RPCs being handled now, and the most at once so far. */
  readonly inflight = { now: 0, max: 0 };

  private async handle(
    method: string,
    handler: Handler,
    call: grpc.ServerUnaryCall<any, any>,
    callback: grpc.sendUnaryData<any>,
  ) {
    this.inflight.now++;
    this.inflight.max = Math.max(this.inflight.max, this.inflight.now);
    try {
      await this.handleCall(method, handler, call, callback);
    } finally {
      this.inflight.now--;
    }
  }

  private async handleCall(
    method: string,
    handler: Handler,
    call: grpc.ServerUnaryCall<any, any>,
    callback: grpc.sendUnaryData<any>,
  ) {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    const fault = this.faults.get(method)?.shift();
    const act = (): any => {
      const caller = this.authenticate(call);
      if (caller === null)
        throw {
          code: grpc.status.UNAUTHENTICATED,
          details: "auth check failure, please check username and password are correct",
        };
      return handler(call.request, caller);
    };
    const respond = () => {
      try {
        callback(null, act());
      } catch (e: any) {
        callback(e);
      }
    };
    switch (fault?.kind) {
      case undefined:
        if (this.latencyMs) await sleep(this.latencyMs, UNREF);
        return respond();
      case "unavailable":
        return callback({ code: grpc.status.UNAVAILABLE, details: "service unavailable (injected)" });
      case "hang":
        return; // neither acts nor answers
      case "delay":
        await sleep(fault.ms, UNREF);
        return respond();
      case "applyThenDelay": {
        let result: any;
        let error: any;
        try {
          result = act();
        } catch (e) {
          error = e;
        }
        await sleep(fault.ms, UNREF);
        return error ? callback(error) : callback(null, result);
      }
      case "drop":
        return this.dropConnections();
      case "applyThenDrop":
        try {
          act();
        } catch {
          // acted or not, the client sees a reset
        }
        return this.dropConnections();
      case "status":
        return callback(null, replyIsStatus(method) ? fault : { status: fault });
      case "grpc":
        return callback({ code: fault.code, details: fault.details });
      case "empty":
        return callback({ code: grpc.status.UNIMPLEMENTED, details: `unknown method ${method}` });
      case "fakeSuccess":
        return callback(null, {});
      case "restartAfter":
        respond();
        // let the answer reach the client, then go down
        await sleep(100, UNREF);
        this.restarts++;
        await this.refuseConnections();
        await sleep(fault.downMs, UNREF);
        return this.acceptConnections();
    }
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => (this.front?.listening ? this.front.close(() => resolve()) : resolve()));
    this.server.forceShutdown();
  }
}

/** A started MilvusTestServer that also holds `users` (name → password; "root" replaces Milvus's default). */
export async function startMilvusTestServer(users: Record<string, string> = {}): Promise<MilvusTestServer> {
  const server = new MilvusTestServer();
  await server.start();
  for (const [name, password] of Object.entries(users)) server.users.set(name, password);
  return server;
}
