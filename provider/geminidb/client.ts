/**
 * The GeminiDB wire: instance query and rwuser password reset, with retries on the
 * transient answers only (429, 5xx, DBS.200019, DBS.201015, DBS.280005, APIG.0308, and
 * transport failures: the reset is idempotent, so repeating it after an unknown outcome is
 * safe), Retry-After honoured, and one re-authentication after a 401.
 */
import { GeminiDbError, isTransient } from "../shared/errors";
import { RetryOptions, retry } from "../shared/retry";
import type { Authenticator } from "./auth";
import { HttpRequest, HttpResponse, errorFromResponse, send } from "./http";

/** The largest page of the password-free configuration the API serves. */
export const PASSWORDLESS_PAGE = 100;

export interface InstanceInfo {
  id: string;
  name?: string;
  status: string;
  datastoreType?: string;
  actions: string[];
}

export type GeminiRetry = Pick<RetryOptions, "maxAttempts" | "maxElapsedMs" | "baseDelayMs" | "maxDelayMs">;
export const GEMINIDB_RETRY: GeminiRetry = {
  maxAttempts: 5,
  maxElapsedMs: 120000,
  baseDelayMs: 500,
  maxDelayMs: 10000,
};

export interface ClientConfig {
  endpoint: string;
  auth: Authenticator;
  timeoutMs: number;
  retry?: GeminiRetry;
  /** Extra values to keep out of messages (the passwords being set). */
  secrets?: string[];
}

export interface CallStats {
  attempts: number;
  reauthenticated: boolean;
}

export class GeminiDbClient {
  constructor(private readonly cfg: ClientConfig) {}

  private get host() {
    return new URL(this.cfg.endpoint).host;
  }

  private async call(
    operation: string,
    target: string,
    projectId: string,
    base: HttpRequest,
    ok: (res: HttpResponse) => boolean,
    extraSecrets: string[] = [],
  ): Promise<HttpResponse & CallStats> {
    const secrets = () => [...this.cfg.auth.secrets, ...(this.cfg.secrets ?? []), ...extraSecrets];
    let reauthenticated = false;
    const result = await retry(
      async () => {
        let res = await send(
          await this.cfg.auth.authorize(base, projectId),
          operation,
          target,
          this.cfg.timeoutMs,
          secrets(),
        );
        if (res.status === 401 && !reauthenticated && this.cfg.auth.invalidate()) {
          reauthenticated = true; // a token may have expired early: get a fresh one, once
          res = await send(
            await this.cfg.auth.authorize(base, projectId),
            operation,
            target,
            this.cfg.timeoutMs,
            secrets(),
          );
        }
        if (!ok(res)) throw errorFromResponse(res, operation, target, secrets());
        return res;
      },
      {
        ...(this.cfg.retry ?? GEMINIDB_RETRY),
        classify: (err) => ({
          retry: isTransient(err),
          afterMs: err instanceof GeminiDbError ? err.retryAfterMs : undefined,
        }),
      },
    );
    return { ...result.value, attempts: result.attempts, reauthenticated };
  }

  /**
   * GeminiDB: GET /v3/{project_id}/instances?id={instance_id}. Undefined when there is no such
   * instance: the documented not-found (404 DBS.200002) or an empty list. Any other 404 (the
   * API gateway's APIG.0101, say: no such API, a wrong endpoint) is an error, not a missing
   * instance.
   */
  async getInstance(projectId: string, instanceId: string): Promise<InstanceInfo | undefined> {
    const target = `geminidb ${this.host} instance ${instanceId}`;
    const project = encodeURIComponent(projectId);
    const url = `${this.cfg.endpoint}/v3/${project}/instances?id=${encodeURIComponent(instanceId)}`;
    const res = await this.call(
      "query instance",
      target,
      projectId,
      { method: "GET", url, headers: { "Content-Type": "application/json" }, body: "" },
      (r) => r.status === 200 || (r.status === 404 && r.json?.error_code === "DBS.200002"),
    );
    if (res.status === 404) return undefined;
    const inst =
      (res.json?.instances ?? []).find((i: { id?: string }) => i.id === instanceId) ??
      (res.json?.instances?.length === 1 && !res.json.instances[0].id ? res.json.instances[0] : undefined);
    if (!inst) return undefined;
    return {
      id: instanceId,
      name: inst.name,
      status: String(inst.status ?? ""),
      datastoreType: inst.datastore?.type,
      actions: Array.isArray(inst.actions) ? inst.actions.map(String) : [],
    };
  }

  /**
   * GeminiDB Redis: GET /v3/{project_id}/instances/{instance_id}/passwordless-config, the
   * addresses and CIDR blocks that log in without a password (`config_ips`); read only when a
   * Redis proof finds the old password still logging in. The API pages its answer (`offset`,
   * `limit` of at most 100, `total_count`): every page is read, so that an address on the second
   * page is not taken for one without password-free access.
   */
  async getPasswordlessConfig(projectId: string, instanceId: string): Promise<string[]> {
    const target = `geminidb ${this.host} instance ${instanceId}`;
    const project = encodeURIComponent(projectId);
    const base = `${this.cfg.endpoint}/v3/${project}/instances/${encodeURIComponent(instanceId)}/passwordless-config`;
    const ips: string[] = [];
    for (;;) {
      const res = await this.call(
        "query password-free configuration",
        target,
        projectId,
        {
          method: "GET",
          url: `${base}?offset=${ips.length}&limit=${PASSWORDLESS_PAGE}`,
          headers: { "Content-Type": "application/json" },
          body: "",
        },
        (r) => r.status === 200,
      );
      const page: unknown = res.json?.config_ips;
      const total: unknown = res.json?.total_count;
      if (!Array.isArray(page) || page.length === 0) return ips;
      ips.push(...page.map(String));
      // without a total, a short page is the last one
      if (typeof total === "number" ? ips.length >= total : page.length < PASSWORDLESS_PAGE) return ips;
    }
  }

  /**
   * GeminiDB: PUT /v3/{project_id}/instances/{instance_id}/password, body {"password": ...},
   * answer 204 (documented); any 2xx is success, as for Huawei's own SDK.
   */
  async resetPassword(
    projectId: string,
    instanceId: string,
    password: string,
  ): Promise<CallStats & { requestId?: string }> {
    const target = `geminidb ${this.host} instance ${instanceId}`;
    const project = encodeURIComponent(projectId);
    const url = `${this.cfg.endpoint}/v3/${project}/instances/${encodeURIComponent(instanceId)}/password`;
    const res = await this.call(
      "reset password",
      target,
      projectId,
      { method: "PUT", url, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ password }) },
      (r) => r.status >= 200 && r.status < 300,
      [password],
    );
    return { attempts: res.attempts, reauthenticated: res.reauthenticated, requestId: res.requestId };
  }
}
