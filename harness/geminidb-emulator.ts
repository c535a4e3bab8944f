/**
 * An emulator of the Huawei Cloud APIs the GeminiDB resource uses, over real HTTP on
 * loopback: IAM (POST /v3/auth/tokens, GET /v3/projects) and GeminiDB (GET
 * /v3/{project_id}/instances?id=, PUT /v3/{project_id}/instances/{instance_id}/password, GET and
 * PUT /v3/{project_id}/instances/{instance_id}/passwordless-config).
 *
 * It checks what the service checks: X-Auth-Token (unknown, expired, other project) and
 * AK/SK signatures, recomputed with Huawei's own SDK signer (an implementation independent
 * of ours) from the request as it arrived, the body hashed as the bytes received (as the API
 * gateway does); it answers with the documented statuses, {error_code, error_msg} bodies and
 * an X-Request-Id on every answer. Fault scripts are consumed one per call of a route; every
 * call is counted.
 *
 * Each instance has an engine, its `datastore.type` as the instance query answers it (Huawei's
 * example says "Cassandra"; the list filter takes cassandra, mongodb, influxdb, redis; other
 * engines such as hbase and dynamodb exist): compared without case. The reset serves the four
 * engines Huawei's current API reference lists (nosql_05_0101, updated 2025-12-04: Cassandra,
 * Mongo, Influx, Redis) and refuses the others with 403 DBS.200018; the password-free
 * configuration (nosql_05_0066 / nosql_05_0067) serves Redis only.
 *
 * Given a real database behind an instance (`backWith`, or `useDatabase` for Cassandra), it
 * applies each reset as GeminiDB does to that engine before it answers: Cassandra `ALTER ROLE
 * rwuser WITH PASSWORD = ...` as a superuser, Redis `CONFIG SET requirepass`, InfluxDB `SET
 * PASSWORD FOR rwuser`, Mongo `updateUser rwuser` with `pwd` (on FerretDB); a failure to apply
 * answers 500 DBS.280005.
 */
import * as http from "http";
import * as net from "net";
import { createHash, randomBytes, randomUUID } from "crypto";
import type { GeminiDbAdminPasswordInputs } from "../provider/geminidb/schema";
import { CqlEndpoint, alterRolePassword } from "./cql";
import { FaultOf } from "./faults";
import type { RealInflux } from "./real-influx";
import type { RealMongo } from "./real-mongo";
import type { RealRedis } from "./real-redis";
import { sleep } from "./support";

// Huawei's official signer, as an oracle (devDependency only).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AKSKSigner } = require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner");

/** The project (region eu-west-101) and instance most tests use. */
export const TEST_PROJECT = "0123456789abcdef0123456789abcdef";
export const TEST_INSTANCE = "9136fd2a9fcd405ea4674276ce36dae8in06";

/**
 * Inputs of a GeminiDbAdminPassword that resets TEST_INSTANCE of TEST_PROJECT in eu-west-101
 * through `emu` (its IAM too); `fields` add to these (auth, password, a proof block, ...) or
 * replace them (another instanceId).
 */
export function emulatorInputs(
  emu: GeminiDbEmulator,
  fields: Partial<GeminiDbAdminPasswordInputs> = {},
): GeminiDbAdminPasswordInputs {
  return {
    region: "eu-west-101",
    projectId: TEST_PROJECT,
    instanceId: TEST_INSTANCE,
    endpoint: emu.url,
    iamEndpoint: emu.url,
    ...fields,
  };
}

/**
 * A started emulator with project TEST_PROJECT in eu-west-101 and one normal Cassandra
 * instance TEST_INSTANCE whose rwuser password is `password`; `setup` adds users and keys.
 */
export async function startEmulator(
  setup: (e: GeminiDbEmulator) => void = () => {},
  password = "Initial~pw0",
): Promise<GeminiDbEmulator> {
  const emu = new GeminiDbEmulator();
  emu.projects.set("eu-west-101", TEST_PROJECT);
  emu.instances.set(TEST_INSTANCE, {
    id: TEST_INSTANCE,
    projectId: TEST_PROJECT,
    status: "normal",
    datastore: "Cassandra",
    actions: [],
    password,
  });
  setup(emu);
  await emu.start();
  return emu;
}

export type Route =
  "iam.tokens" | "iam.projects" | "instances.get" | "password.put" | "passwordless.get" | "passwordless.put";

/**
 * The engines whose rwuser password the reset API sets (Huawei's nosql_05_0101, 2025-12-04), as
 * the instance query's `datastore.type` names them, lower-cased; the EU site lists only
 * cassandra, influxdb and redis.
 */
export const RESET_ENGINES: readonly string[] = ["cassandra", "mongodb", "influxdb", "redis"];

/** A plausible `datastore.version` per engine (lower-cased type), for instances that set none. */
export const DATASTORE_VERSIONS: Readonly<Record<string, string>> = {
  cassandra: "3.11",
  mongodb: "4.0",
  influxdb: "1.8",
  redis: "6.2",
  hbase: "2.3",
  dynamodb: "1.0",
};

/** An instance's engine: its datastore type, lower-cased (the API's own casing varies). */
export function engineOf(instance: Pick<EmuInstance, "datastore">): string {
  return instance.datastore.toLowerCase();
}

/**
 * A real database behind an instance, to which each reset is applied: the Cassandra role
 * (`rwuser`, or the instance's `role`) altered as `admin`, a superuser; the Redis server's
 * default-user password (`server.setPassword`); the InfluxDB admin rwuser's password
 * (`server.setPassword`); the Mongo user rwuser's password in `admin` (`server.setPassword`,
 * an `updateUser` on FerretDB).
 */
export type Backing =
  | {
      kind: "cassandra";
      endpoint: CqlEndpoint;
      admin: { username: string; password: string };
      /** Keep the admin's session open between resets (useDatabase's `keepAdminSession`). */
      keepAdminSession?: boolean;
    }
  | { kind: "redis"; server: RealRedis }
  | { kind: "influx"; server: RealInflux }
  | { kind: "mongo"; server: RealMongo };

/** The engine (lower-cased datastore type) each kind of backing stands for. */
const BACKING_ENGINE: Record<Backing["kind"], string> = {
  cassandra: "cassandra",
  redis: "redis",
  influx: "influxdb",
  mongo: "mongodb",
};

/** The API's own error answer: an HTTP status with an {error_code, error_msg} body. */
export interface GeminiDbStatus {
  status: number;
  code: string;
  msg: string;
  retryAfter?: string;
}

/** The faults the emulator takes (harness/faults says what each does). */
export type GeminiDbFault = FaultOf<
  | "status"
  | "delay"
  | "applyThenDelay"
  | "drop"
  | "applyThenDrop"
  | "redirect"
  | "expireToken"
  | "body"
  | "fakeSuccess"
  | "applyLater",
  GeminiDbStatus
>;

export interface EmuInstance {
  id: string;
  projectId: string;
  status: string;
  /** `datastore.type` as the instance query answers it: "Cassandra", "redis", "influxdb", "hbase", ... */
  datastore: string;
  /** `datastore.version`; DATASTORE_VERSIONS' value for the engine when not set. */
  version?: string;
  actions: string[];
  password: string;
  /** With a database: the role that stands for this instance's rwuser there (default rwuser). */
  role?: string;
  /** Redis: the password-free configuration (`config_ips`, IPv4 addresses and CIDR blocks). */
  configIps?: string[];
}

interface IssuedToken {
  projectId: string;
  expiresAt: number;
}

export class GeminiDbEmulator {
  readonly projects = new Map<string, string>(); // region name → project id
  readonly users = new Map<string, { password: string; domain: string }>(); // user name → ...
  readonly akSk = new Map<string, { sk: string; securityToken?: string }>();
  readonly instances = new Map<string, EmuInstance>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly calls: Record<string, number> = {};
  /** the bodies and headers received, for leak checks of what went over the wire */
  readonly received: Array<{ route: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  /** every X-Request-Id answered, in order */
  readonly requestIds: string[] = [];
  tokenLifetimeMs = 24 * 3600 * 1000;
  /** max clock skew accepted on X-Sdk-Date */
  maxSkewMs = 15 * 60 * 1000;
  private readonly faults = new Map<Route, GeminiDbFault[]>();
  private server?: http.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  /** TCP connections accepted since start (a client that keeps its connections open makes few). */
  connectionsAccepted = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  inject(route: Route, ...faults: GeminiDbFault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** Takes back `fault` (the very object given to `inject`) if no request has met it yet. */
  withdraw(route: Route, fault: GeminiDbFault): void {
    const queued = this.faults.get(route);
    const at = queued?.indexOf(fault) ?? -1;
    if (at >= 0) queued!.splice(at, 1);
  }

  count(route: Route): number {
    return this.calls[route] ?? 0;
  }

  resetCounts(): void {
    for (const k of Object.keys(this.calls)) delete this.calls[k];
  }

  /** A token as IAM would issue it, valid for `lifetimeMs`. */
  issueToken(projectId: string, lifetimeMs = this.tokenLifetimeMs): string {
    const token = "MII" + randomBytes(48).toString("base64url");
    this.tokens.set(token, { projectId, expiresAt: Date.now() + lifetimeMs });
    return token;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => void this.handle(req, res, Buffer.concat(chunks).toString("utf8")));
    });
    this.server.on("connection", (s) => {
      this.connectionsAccepted++;
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server?.listening ? this.server.close(() => r()) : r()));
  }

  /** Closes every connection that waits idle between requests, as a server's idle timeout does. */
  closeIdleConnections(): void {
    this.server?.closeIdleConnections();
  }

  /** Stops listening: new connections are refused (ECONNREFUSED) until `acceptConnections`. */
  async refuseConnections(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  /** Listens again on the same port. */
  async acceptConnections(): Promise<void> {
    if (this.server!.listening) return;
    await new Promise<void>((r) => this.server!.listen(this.port, "127.0.0.1", r));
  }

  /** Called with the instance id each time the emulator has applied a password change. */
  onApplied?: (instanceId: string) => void;

  /** The database behind the instances: each reset becomes an ALTER ROLE of rwuser there. */
  private database?: {
    endpoint: CqlEndpoint;
    admin: { username: string; password: string };
    keepAdminSession?: boolean;
  };

  /**
   * Backs the instances with a real database: resets are applied to its role `rwuser` (or the
   * instance's `role`; it must exist) as `admin`, a superuser, before the 204. Each reset logs
   * the admin in on a connection of its own; with `keepAdminSession` (the bench) the admin's
   * session is kept open between resets, as the service keeps its own, so that the node on the
   * machine under measurement does not pay a login per reset that GeminiDB pays on its own.
   */
  useDatabase(
    endpoint: CqlEndpoint,
    admin: { username: string; password: string },
    options: { keepAdminSession?: boolean } = {},
  ): void {
    this.database = { endpoint, admin, ...options };
  }

  /** Per instance: the real database its resets are applied to (before `useDatabase`'s). */
  private readonly backings = new Map<string, Backing>();

  /**
   * Redis instances whose runner access is password-free: the password the server had before
   * (and takes again when the configuration stops covering the runner), kept up to date by resets.
   */
  private readonly heldPasswords = new Map<string, string>();

  /**
   * Backs one instance with a real database of its engine (the instance must exist): each reset
   * of it is applied there before the 204, later with `applyLater`, never with `fakeSuccess`;
   * a failure to apply answers 500 DBS.280005. For Redis, the password-free configuration acts
   * on the server too (see `applyPasswordFree`).
   */
  backWith(instanceId: string, backing: Backing): void {
    const inst = this.instances.get(instanceId);
    if (!inst) throw new Error(`backWith: no instance ${instanceId}`);
    if (engineOf(inst) !== BACKING_ENGINE[backing.kind]) {
      throw new Error(`backWith: a ${backing.kind} backing for a ${inst.datastore} instance`);
    }
    this.backings.set(instanceId, backing);
  }

  /** Whether the runner's access to this Redis instance is password-free now (its server has no password). */
  isPasswordFree(instanceId: string): boolean {
    return this.heldPasswords.has(instanceId);
  }

  /** The real database behind an instance: its own backing, or useDatabase's for a Cassandra instance. */
  private backingOf(inst: EmuInstance): Backing | undefined {
    const own = this.backings.get(inst.id);
    if (own) return own;
    if (this.database && engineOf(inst) === "cassandra") return { kind: "cassandra", ...this.database };
    return undefined;
  }

  /** Applies a reset to the instance's real database, as GeminiDB does on that engine. */
  private async applyReset(inst: EmuInstance, backing: Backing, password: string): Promise<void> {
    switch (backing.kind) {
      case "cassandra":
        return alterRolePassword(backing.endpoint, backing.admin, inst.role ?? "rwuser", password, {
          reuse: backing.keepAdminSession,
        });
      case "influx":
      case "mongo":
        return backing.server.setPassword(password);
      case "redis":
        // password-free from the runner: the server's password changes (remembered here), and
        // the runner's access stays password-free until the configuration stops covering it
        if (this.heldPasswords.has(inst.id)) {
          this.heldPasswords.set(inst.id, password);
          return;
        }
        return backing.server.setPassword(password);
    }
  }

  /**
   * Makes the Redis server behind an instance password-free for the runner when its
   * `config_ips` cover 127.0.0.1, and gives it its password back when they stop covering it.
   *
   * GeminiDB's password-free access is per client IP: from a listed address every AUTH passes,
   * whatever the password (Huawei's FAQ: "regardless of whether the password is correct"), and
   * other addresses still need the password. Real redis-server has no per-IP authentication; as
   * every test server and every client here is on loopback, the closest faithful emulation is
   * to take the password away for everyone: `CONFIG SET requirepass ""` (the default user
   * becomes `nopass`), the real password held here, changed by resets in the meantime, and
   * set again when the configuration is cleared. One difference shows: redis-server answers
   * `AUTH <password>` on a password-free server with an error ("AUTH <password> called without
   * any password configured for the default user"), where GeminiDB answers OK; commands without
   * AUTH pass on both. A client that logs in (provider/redis/client `redisLogin`) reads that
   * error as serverCode PASSWORD_FREE. While password-free, RealRedis.password is "".
   */
  private async applyPasswordFree(inst: EmuInstance, backing: Backing | undefined, configIps: string[]) {
    if (backing?.kind !== "redis") return;
    const free = configIps.some((entry) => ipv4Covers(entry, "127.0.0.1"));
    const held = this.heldPasswords.get(inst.id);
    if (free && held === undefined) {
      const password = backing.server.password;
      await backing.server.setPassword("");
      this.heldPasswords.set(inst.id, password);
    } else if (!free && held !== undefined) {
      await backing.server.setPassword(held);
      this.heldPasswords.delete(inst.id);
    }
  }

  private reply(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    const requestId = randomUUID().replace(/-/g, "");
    this.requestIds.push(requestId);
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      "X-Request-Id": requestId,
      ...(text ? { "Content-Type": "application/json" } : {}),
      ...headers,
    });
    res.end(text);
  }

  private error(res: http.ServerResponse, status: number, code: string, msg: string, headers?: Record<string, string>) {
    this.reply(res, status, { error_code: code, error_msg: msg }, headers);
  }

  private route(method: string, path: string): { route: Route; params: string[] } | undefined {
    if (method === "POST" && path === "/v3/auth/tokens") return { route: "iam.tokens", params: [] };
    if (method === "GET" && path === "/v3/projects") return { route: "iam.projects", params: [] };
    let m = /^\/v3\/([^/]+)\/instances$/.exec(path);
    if (method === "GET" && m) return { route: "instances.get", params: [m[1]] };
    m = /^\/v3\/([^/]+)\/instances\/([^/]+)\/password$/.exec(path);
    if (method === "PUT" && m) return { route: "password.put", params: [m[1], m[2]] };
    m = /^\/v3\/([^/]+)\/instances\/([^/]+)\/passwordless-config$/.exec(path);
    if (method === "GET" && m) return { route: "passwordless.get", params: [m[1], m[2]] };
    if (method === "PUT" && m) return { route: "passwordless.put", params: [m[1], m[2]] };
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const url = new URL(req.url ?? "/", this.url);
    const r = this.route(req.method ?? "", url.pathname);
    if (!r)
      return this.error(res, 404, "APIG.0101", "The API does not exist or has not been published in the environment.");
    this.calls[r.route] = (this.calls[r.route] ?? 0) + 1;
    this.received.push({ route: r.route, headers: req.headers, body });
    const fault = this.faults.get(r.route)?.shift();
    const run = () =>
      this.serve(
        r.route,
        r.params,
        req,
        url,
        body,
        fault?.kind === "fakeSuccess",
        fault?.kind === "applyLater" ? fault.ms : 0,
      );
    switch (fault?.kind) {
      case "status":
        return this.error(
          res,
          fault.status,
          fault.code,
          fault.msg,
          fault.retryAfter ? { "Retry-After": fault.retryAfter } : undefined,
        );
      case "redirect":
        return this.reply(res, fault.status ?? 307, undefined, { Location: fault.location });
      case "body": {
        const requestId = randomUUID().replace(/-/g, "");
        this.requestIds.push(requestId);
        res.writeHead(fault.status, { "X-Request-Id": requestId, "Content-Type": "application/json" });
        return res.end(fault.body);
      }
      case "drop":
        return req.socket.destroy();
      case "applyThenDrop":
        await run();
        return req.socket.destroy();
      case "delay":
        await sleep(fault.ms, { unref: true });
        break;
      case "applyThenDelay": {
        const answer = await run();
        await sleep(fault.ms, { unref: true });
        if (!res.writableEnded && !req.socket.destroyed) this.send(res, answer);
        return;
      }
      case "expireToken": {
        const t = req.headers["x-auth-token"];
        if (typeof t === "string") this.tokens.delete(t);
        return this.error(
          res,
          401,
          "APIG.0301",
          `Incorrect IAM authentication information: token expires, expires_at: ${new Date().toISOString()}`,
        );
      }
    }
    const answer = await run();
    if (!res.writableEnded && !req.socket.destroyed) this.send(res, answer);
  }

  private send(res: http.ServerResponse, a: Answer) {
    if ("error" in a) this.error(res, a.status, a.error[0], a.error[1]);
    else this.reply(res, a.status, a.body, a.headers);
  }

  /** Authenticates a request: the project id its credentials are scoped to, or an error answer. */
  private authenticate(
    req: http.IncomingMessage,
    url: URL,
    body: string,
    pathProject?: string,
  ): { projectId?: string } | Answer {
    const h = req.headers;
    if (typeof h.authorization === "string" && h.authorization.startsWith("SDK-HMAC-SHA256")) {
      const parsed = parseAuthorization(h.authorization);
      if (!parsed)
        return fail(401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail");
      const { access: ak, signedHeaders, signature: sig } = parsed;
      const cred = this.akSk.get(ak);
      if (!cred)
        return fail(
          401,
          "APIG.0301",
          `Incorrect IAM authentication information: Get secretKey failed,ak:${ak},err:ak not exist`,
        );
      const date = h["x-sdk-date"];
      if (typeof date !== "string" || !/^\d{8}T\d{6}Z$/.test(date))
        return fail(401, "APIG.0301", "Incorrect IAM authentication information: x-sdk-date is invalid");
      const when = Date.UTC(
        +date.slice(0, 4),
        +date.slice(4, 6) - 1,
        +date.slice(6, 8),
        +date.slice(9, 11),
        +date.slice(11, 13),
        +date.slice(13, 15),
      );
      if (Math.abs(Date.now() - when) > this.maxSkewMs)
        return fail(401, "APIG.0301", "Incorrect IAM authentication information: request expired");
      if (!signedHeaders.includes("host") || !signedHeaders.includes("x-sdk-date")) {
        return fail(401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail");
      }
      if (cred.securityToken !== undefined && h["x-security-token"] !== cred.securityToken) {
        return fail(401, "APIG.0301", "Incorrect IAM authentication information: verify security token fail");
      }
      if (oracleSignature(req, url, body, signedHeaders, cred.sk) !== sig) {
        return fail(401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail");
      }
      const projectId = typeof h["x-project-id"] === "string" ? h["x-project-id"] : undefined;
      if (pathProject && projectId !== pathProject)
        return fail(400, "DBS.200010", "The project id in the request does not match the credentials");
      return { projectId };
    }
    const token = h["x-auth-token"];
    if (typeof token !== "string" || token === "")
      return fail(401, "APIG.0301", "Incorrect IAM authentication information: x-auth-token not found");
    const t = this.tokens.get(token);
    if (!t) return fail(401, "APIG.0301", "Incorrect IAM authentication information: decrypt token fail");
    if (t.expiresAt <= Date.now())
      return fail(
        401,
        "APIG.0301",
        `Incorrect IAM authentication information: token expires, expires_at: ${new Date(t.expiresAt).toISOString()}`,
      );
    if (pathProject && t.projectId !== pathProject)
      return fail(400, "DBS.200010", "The token is not scoped to the project in the request");
    return { projectId: t.projectId };
  }

  private async serve(
    route: Route,
    params: string[],
    req: http.IncomingMessage,
    url: URL,
    body: string,
    withoutActing = false,
    databaseDelayMs = 0,
  ): Promise<Answer> {
    switch (route) {
      case "iam.tokens": {
        let parsed: any;
        try {
          parsed = JSON.parse(body);
        } catch {
          return fail(400, "1100", "The request body is not valid JSON");
        }
        const pw = parsed?.auth?.identity?.password?.user;
        const u = pw && this.users.get(pw.name);
        if (!u || u.password !== pw.password || u.domain !== pw.domain?.name)
          return fail(401, "1101", "The username or password is wrong.");
        const scope = parsed?.auth?.scope?.project ?? {};
        const projectId: string | undefined = scope.id ?? (scope.name ? this.projects.get(scope.name) : undefined);
        if (!projectId || ![...this.projects.values()].includes(projectId))
          return fail(400, "1100", "The project does not exist");
        const name = [...this.projects.entries()].find(([, id]) => id === projectId)![0];
        const token = this.issueToken(projectId);
        return {
          status: 201,
          headers: { "X-Subject-Token": token },
          body: {
            token: {
              expires_at: new Date(this.tokens.get(token)!.expiresAt).toISOString(),
              project: { id: projectId, name },
              methods: ["password"],
            },
          },
        };
      }
      case "iam.projects": {
        const auth = this.authenticate(req, url, body);
        if ("status" in auth) return auth;
        const name = url.searchParams.get("name");
        const projects = [...this.projects.entries()]
          .filter(([n]) => !name || n === name)
          .map(([n, id]) => ({ id, name: n, enabled: true }));
        return { status: 200, body: { projects, links: {} } };
      }
      case "instances.get": {
        const [projectId] = params;
        const auth = this.authenticate(req, url, body, projectId);
        if ("status" in auth) return auth;
        const id = url.searchParams.get("id");
        const list = [...this.instances.values()].filter((i) => i.projectId === projectId && (!id || i.id === id));
        return {
          status: 200,
          body: {
            instances: list.map((i) => ({
              id: i.id,
              name: `inst-${i.id.slice(0, 6)}`,
              status: i.status,
              datastore: {
                type: i.datastore,
                version: i.version ?? DATASTORE_VERSIONS[engineOf(i)] ?? "1.0",
                patch_available: false,
              },
              actions: i.actions,
              mode: "Cluster",
            })),
            total_count: list.length,
          },
        };
      }
      case "password.put": {
        const [projectId, instanceId] = params;
        const auth = this.authenticate(req, url, body, projectId);
        if ("status" in auth) return auth;
        let parsed: any;
        try {
          parsed = JSON.parse(body);
        } catch {
          return fail(400, "DBS.200001", "Parameter error");
        }
        if (!parsed || typeof parsed.password !== "string" || Object.keys(parsed).length !== 1)
          return fail(400, "DBS.200001", "Parameter error");
        const inst = this.instances.get(instanceId);
        if (!inst || inst.projectId !== projectId) return fail(404, "DBS.200002", "The instance does not exist");
        if (!RESET_ENGINES.includes(engineOf(inst)))
          return fail(403, "DBS.200018", "The instance type does not support this operation");
        if (inst.actions.length)
          return fail(403, "DBS.200019", "Another operation is being performed on the instance. Try again later");
        if (inst.status !== "normal")
          return fail(403, "DBS.200011", "The instance status does not allow this operation");
        if (!serverPasswordRule(parsed.password)) return fail(400, "DBS.200029", "Invalid password");
        if (withoutActing) return { status: 204 };
        const backing = this.backingOf(inst);
        if (backing && databaseDelayMs > 0) {
          setTimeout(() => void this.applyReset(inst, backing, parsed.password).catch(() => {}), databaseDelayMs);
        } else if (backing) {
          try {
            await this.applyReset(inst, backing, parsed.password);
          } catch {
            return fail(500, "DBS.280005", "The database did not accept the password change");
          }
        }
        inst.password = parsed.password;
        this.onApplied?.(instanceId);
        return { status: 204 };
      }
      case "passwordless.get": {
        const [projectId, instanceId] = params;
        const auth = this.authenticate(req, url, body, projectId);
        if ("status" in auth) return auth;
        const inst = this.instances.get(instanceId);
        if (!inst || inst.projectId !== projectId) return fail(404, "DBS.200002", "The instance does not exist");
        if (engineOf(inst) !== "redis")
          return fail(403, "DBS.200018", "The instance type does not support this operation");
        const offset = queryInteger(url, "offset", 0);
        if (offset === undefined || offset < 0) return fail(400, "DBS.280440", "Invalid offset.");
        const limit = queryInteger(url, "limit", 100);
        if (limit === undefined || limit < 1 || limit > 100) return fail(400, "DBS.280439", "Invalid limit.");
        const all = inst.configIps ?? [];
        return { status: 200, body: { config_ips: all.slice(offset, offset + limit), total_count: all.length } };
      }
      case "passwordless.put": {
        const [projectId, instanceId] = params;
        const auth = this.authenticate(req, url, body, projectId);
        if ("status" in auth) return auth;
        let parsed: any;
        try {
          parsed = JSON.parse(body);
        } catch {
          return fail(400, "DBS.200001", "Parameter error");
        }
        const ips: unknown = parsed?.config_ips;
        if (!Array.isArray(ips) || !ips.every((x) => typeof x === "string") || Object.keys(parsed).length !== 1)
          return fail(400, "DBS.200001", "Parameter error");
        const inst = this.instances.get(instanceId);
        if (!inst || inst.projectId !== projectId) return fail(404, "DBS.200002", "The instance does not exist");
        if (engineOf(inst) !== "redis")
          return fail(403, "DBS.200018", "The instance type does not support this operation");
        if (inst.actions.length)
          return fail(403, "DBS.200019", "Another operation is being performed on the instance. Try again later");
        if (inst.status !== "normal")
          return fail(403, "DBS.200011", "The instance status does not allow this operation");
        if (!ips.every(isIpv4OrCidr)) return fail(400, "DBS.200091", "Invalid IP address.");
        if (new Set(ips).size !== ips.length) return fail(400, "DBS.200092", "The IP address already exists.");
        // documented: "200, no body"
        if (withoutActing) return { status: 200 };
        const configIps = [...(ips as string[])];
        inst.configIps = configIps;
        const backing = this.backingOf(inst);
        if (databaseDelayMs > 0) {
          setTimeout(() => void this.applyPasswordFree(inst, backing, configIps).catch(() => {}), databaseDelayMs);
        } else {
          try {
            await this.applyPasswordFree(inst, backing, configIps);
          } catch {
            return fail(500, "DBS.280005", "The database did not accept the password-free configuration");
          }
        }
        return { status: 200 };
      }
    }
  }
}

/** An integer query parameter: `fallback` when absent, undefined when not a decimal integer. */
function queryInteger(url: URL, name: string, fallback: number): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return fallback;
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

/** The 32-bit value of a dotted IPv4 address, or undefined. */
function ipv4Value(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

/** An IPv4 address or CIDR block ("10.0.0.0/8"), the only entries config_ips takes. */
export function isIpv4OrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split("/");
  if (rest.length || ipv4Value(address) === undefined) return false;
  return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
}

/** Whether a config_ips entry (address or CIDR block) covers the IPv4 address `ip`. */
export function ipv4Covers(entry: string, ip: string): boolean {
  if (!isIpv4OrCidr(entry)) return false;
  const [address, prefix] = entry.split("/");
  const bits = prefix === undefined ? 32 : Number(prefix);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4Value(address)! & mask) >>> 0 === (ipv4Value(ip)! & mask) >>> 0;
}

type Answer =
  { status: number; body?: unknown; headers?: Record<string, string> } | { status: number; error: [string, string] };
const fail = (status: number, code: string, msg: string): Answer => ({ status, error: [code, msg] });

/**
 * The service's rule for the rwuser password of all four engines, in Huawei's current text
 * (nosql_05_0101, 2025-12-04): 8 to 32 characters of uppercase and lowercase letters, digits and
 * the specials ~!@#$%^&*()-_=+?, at least two of those four classes. (Its older text, still on
 * the EU site, was stricter: every class, and no $ & ( ).)
 */
export function serverPasswordRule(pw: string): boolean {
  if (!/^[A-Za-z0-9~!@#$%^&*()\-_=+?]{8,32}$/.test(pw)) return false;
  return [/[A-Z]/, /[a-z]/, /\d/, /[~!@#$%^&*()\-_=+?]/].filter((c) => c.test(pw)).length >= 2;
}

/**
 * Huawei's SDK signer with one difference: the body is hashed as the bytes received, as the API
 * gateway hashes it (the SDK's own signer hashes JSON.stringify of a parsed body, which would
 * accept a body other than the one signed, and refuse a correctly signed body with spaces).
 */
class RawBodySigner extends AKSKSigner {
  static buildPayloadHash(request: { rawBody: string }): string {
    return createHash("sha256").update(request.rawBody, "utf8").digest("hex");
  }
}

/** The signature the signer computes for this request as received. */
function oracleSignature(
  req: http.IncomingMessage,
  url: URL,
  body: string,
  signedHeaders: string[],
  sk: string,
): string {
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (typeof value !== "string") return "missing-signed-header";
    // The SDK signer reads the date from the header named exactly X-Sdk-Date.
    headers[name === "x-sdk-date" ? "X-Sdk-Date" : name] = value;
  }
  const queryParams: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = queryParams[k];
    queryParams[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signed = RawBodySigner.sign(
    { endpoint: `http://${req.headers.host}${url.pathname}`, method: req.method, queryParams, headers, rawBody: body },
    { getAk: () => "", getSk: () => sk },
  );
  return /Signature=([0-9a-f]+)/.exec(signed.Authorization)?.[1] ?? "";
}

/** Parses an Authorization header of Huawei's SDK-HMAC-SHA256 signing; undefined when it is not one. */
export function parseAuthorization(
  value: string,
): { access: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(
    value.trim(),
  );
  return m ? { access: m[1], signedHeaders: m[2].split(";"), signature: m[3] } : undefined;
}
