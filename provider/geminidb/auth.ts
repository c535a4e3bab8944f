/**
 * The three ways to authenticate to Huawei Cloud: a given IAM token, an IAM token obtained
 * with a user's password (cached per process until near expiry), and AK/SK signing of every
 * request. Credentials come from the inputs or, at run time, from HW_* variables; the latter
 * never enter state.
 */
import { createHash } from "crypto";
import { ConfigError, GeminiDbError } from "../shared/errors";
import { envValue } from "../shared/env";
import { signRequest } from "./signer";
import { HttpRequest, errorFromResponse, send } from "./http";
import type { GeminiDbAuthInputs } from "./schema";

export interface Authenticator {
  readonly kind: "token" | "password" | "aksk";
  /** Returns the request with its authentication headers. */
  authorize(req: HttpRequest, projectId: string | undefined): Promise<HttpRequest>;
  /** After a 401: forgets a cached token; true when a fresh one can be had (so one retry is worth it). */
  invalidate(): boolean;
  /** The project id of `region` as IAM knows it. */
  projectIdOf(region: string): Promise<string>;
  /** Values to keep out of every message. */
  readonly secrets: string[];
}

interface Ctx {
  iamEndpoint: string;
  timeoutMs: number;
}

/** How close to expiry a cached token is replaced. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

interface CachedToken {
  token: string;
  expiresAt: number;
  projectId?: string;
}
/** Per-process token cache; never serialized, never in state. */
const tokenCache = new Map<string, CachedToken>();
/**
 * The token requests under way, by cache key: resources that run side by side (Pulumi runs
 * a stack's resources in parallel, all in one provider process) wait for the same request
 * instead of each asking IAM for a token of its own.
 */
const tokenRequests = new Map<string, Promise<CachedToken>>();

/** For tests: forget every cached token. */
export function clearTokenCache(): void {
  tokenCache.clear();
  tokenRequests.clear();
}

async function projectsByName(
  ctx: Ctx,
  region: string,
  authorize: (r: HttpRequest) => Promise<HttpRequest>,
  secrets: string[],
): Promise<string> {
  const url = `${ctx.iamEndpoint}/v3/projects?name=${encodeURIComponent(region)}`;
  const target = `iam ${new URL(ctx.iamEndpoint).host}`;
  // IAM: GET /v3/projects?name={region}
  const res = await send(
    await authorize({ method: "GET", url, headers: { "Content-Type": "application/json" }, body: "" }),
    "look up project",
    target,
    ctx.timeoutMs,
    secrets,
  );
  if (res.status !== 200) throw errorFromResponse(res, "look up project", target, secrets);
  const id = res.json?.projects?.[0]?.id;
  if (typeof id !== "string") {
    throw new ConfigError(`no project named ${region} is visible to these credentials: set projectId`, {
      operation: "look up project",
      target,
      property: "projectId",
      requestId: res.requestId,
    });
  }
  return id;
}

class TokenAuth implements Authenticator {
  readonly kind = "token";
  constructor(
    private readonly token: string,
    private readonly ctx: Ctx,
  ) {}
  get secrets() {
    return [this.token];
  }
  async authorize(req: HttpRequest): Promise<HttpRequest> {
    return { ...req, headers: { ...req.headers, "X-Auth-Token": this.token } };
  }
  invalidate() {
    return false; // a given token cannot be renewed here
  }
  projectIdOf(region: string) {
    return projectsByName(this.ctx, region, (r) => this.authorize(r), this.secrets);
  }
}

class AkSkAuth implements Authenticator {
  readonly kind = "aksk";
  constructor(
    private readonly ak: string,
    private readonly sk: string,
    private readonly securityToken: string | undefined,
    private readonly ctx: Ctx,
  ) {}
  get secrets() {
    return [this.sk, ...(this.securityToken ? [this.securityToken] : [])];
  }
  async authorize(req: HttpRequest, projectId: string | undefined): Promise<HttpRequest> {
    const headers: Record<string, string> = { ...req.headers };
    if (projectId) headers["X-Project-Id"] = projectId;
    if (this.securityToken) headers["X-Security-Token"] = this.securityToken;
    return {
      ...req,
      headers: signRequest(
        { method: req.method, url: req.url, headers, body: req.body },
        { accessKey: this.ak, secretKey: this.sk },
      ),
    };
  }
  invalidate() {
    return false;
  }
  projectIdOf(region: string) {
    return projectsByName(this.ctx, region, (r) => this.authorize(r, undefined), this.secrets);
  }
}

class PasswordAuth implements Authenticator {
  readonly kind = "password";
  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly domain: string,
    private readonly ctx: Ctx,
    private readonly region: string,
  ) {}
  private lastKey?: string;
  get secrets() {
    const cached = this.lastKey ? tokenCache.get(this.lastKey)?.token : undefined;
    return [this.password, ...(cached ? [cached] : [])];
  }

  private key(scope: string) {
    // the password's hash too: a token got with one password is not handed to a caller with another
    const pw = createHash("sha256").update(this.password).digest("hex");
    return `${this.ctx.iamEndpoint}|${this.domain}|${this.user}|${pw}|${scope}`;
  }

  /** A token scoped to the project (by id, or by region name): the cached one, or one request shared by all who ask. */
  private token(projectId: string | undefined): Promise<CachedToken> {
    const scope = projectId ? `id:${projectId}` : `name:${this.region}`;
    const key = this.key(scope);
    this.lastKey = key;
    const cached = tokenCache.get(key);
    if (cached && cached.expiresAt - Date.now() > TOKEN_REFRESH_MARGIN_MS) return Promise.resolve(cached);
    let request = tokenRequests.get(key);
    if (!request) {
      request = this.requestToken(projectId, key).finally(() => tokenRequests.delete(key));
      tokenRequests.set(key, request);
    }
    return request;
  }

  /** IAM: POST /v3/auth/tokens with the password method, scoped to a project (by id or by region name). */
  private async requestToken(projectId: string | undefined, key: string): Promise<CachedToken> {
    const body = JSON.stringify({
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: this.user, password: this.password, domain: { name: this.domain } } },
        },
        scope: { project: projectId ? { id: projectId } : { name: this.region } },
      },
    });
    const target = `iam ${new URL(this.ctx.iamEndpoint).host} user ${this.user}`;
    const res = await send(
      {
        method: "POST",
        url: `${this.ctx.iamEndpoint}/v3/auth/tokens`,
        headers: { "Content-Type": "application/json;charset=utf8" },
        body,
      },
      "get IAM token",
      target,
      this.ctx.timeoutMs,
      [this.password],
    );
    const token = res.headers.get("x-subject-token");
    if (res.status !== 201 || !token) {
      if (res.status === 201)
        throw new GeminiDbError("IAM answered 201 without X-Subject-Token", {
          operation: "get IAM token",
          target,
          requestId: res.requestId,
        });
      throw errorFromResponse(res, "get IAM token", target, [this.password]);
    }
    const expiresAt = Date.parse(res.json?.token?.expires_at ?? "") || Date.now() + 24 * 3600 * 1000;
    const entry = { token, expiresAt, projectId: res.json?.token?.project?.id };
    tokenCache.set(key, entry);
    return entry;
  }

  async authorize(req: HttpRequest, projectId: string | undefined): Promise<HttpRequest> {
    const { token } = await this.token(projectId);
    return { ...req, headers: { ...req.headers, "X-Auth-Token": token } };
  }

  invalidate() {
    if (this.lastKey) tokenCache.delete(this.lastKey);
    return true;
  }

  async projectIdOf(region: string): Promise<string> {
    const t = await this.token(undefined);
    if (t.projectId) return t.projectId;
    return projectsByName(this.ctx, region, (r) => this.authorize(r, undefined), this.secrets);
  }
}

/** The credentials from the inputs, else from the environment; ConfigError when there are none. */
export function makeAuthenticator(
  auth: GeminiDbAuthInputs | undefined,
  region: string,
  ctx: Ctx,
  env: NodeJS.ProcessEnv = process.env,
): Authenticator {
  const a = auth ?? {};
  if (a.token) return new TokenAuth(a.token, ctx);
  if (a.accessKey && a.secretKey) return new AkSkAuth(a.accessKey, a.secretKey, a.securityToken, ctx);
  if (a.userName && a.password && a.domainName)
    return new PasswordAuth(a.userName, a.password, a.domainName, ctx, region);
  const e = (n: string) => envValue(n, env);
  if (e("HW_AUTH_TOKEN")) return new TokenAuth(e("HW_AUTH_TOKEN")!, ctx);
  if (e("HW_ACCESS_KEY") && e("HW_SECRET_KEY"))
    return new AkSkAuth(e("HW_ACCESS_KEY")!, e("HW_SECRET_KEY")!, e("HW_SECURITY_TOKEN"), ctx);
  if (e("HW_USER_NAME") && e("HW_PASSWORD") && e("HW_DOMAIN_NAME"))
    return new PasswordAuth(e("HW_USER_NAME")!, e("HW_PASSWORD")!, e("HW_DOMAIN_NAME")!, ctx, region);
  throw new ConfigError(
    "no Huawei Cloud credentials: set auth, or HW_AUTH_TOKEN, or HW_ACCESS_KEY and HW_SECRET_KEY, " +
      "or HW_USER_NAME, HW_PASSWORD and HW_DOMAIN_NAME",
    { operation: "configure", property: "auth" },
  );
}

/** Whether the HW_* variables hold one complete set of credentials. */
export function hasEnvironmentCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  const e = (n: string) => !!envValue(n, env);
  return (
    e("HW_AUTH_TOKEN") ||
    (e("HW_ACCESS_KEY") && e("HW_SECRET_KEY")) ||
    (e("HW_USER_NAME") && e("HW_PASSWORD") && e("HW_DOMAIN_NAME"))
  );
}

/** Every credential value the environment holds, for redaction. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return ["HW_AUTH_TOKEN", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_PASSWORD"]
    .map((n) => envValue(n, env))
    .filter((v): v is string => !!v);
}
