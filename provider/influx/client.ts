/**
 * The InfluxDB 1.x wire (GeminiDB for Influx, InfluxDB 1.x): the only file that talks to its
 * HTTP API, through node-fetch (already the package's HTTP client), with basic auth.
 *
 * - InfluxDB checks the credentials of every request: a login proof is one request, `SHOW
 *   DATABASES` on /query, which needs a login when auth is on (200 / 401); /ping does not.
 * - Each proof uses an agent of its own without keep-alive: a fresh connection, as each proof
 *   of the other databases, and no socket left behind.
 * - Redirects are refused (they would carry the credentials elsewhere); TLS verification is on.
 * - The password travels only in the Authorization header (never as `u`/`p` in the URL, which
 *   servers and proxies log); it is in no error: server text passes through `redact`.
 */
import * as http from "http";
import * as https from "https";
import fetch, { RequestInit } from "node-fetch";
import { InfluxError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";
import { trusting } from "../shared/tls";

export interface InfluxTarget {
  /** host:port of the HTTP API (`[v6]:port` for an IPv6 address). */
  hostPort: string;
  tls: boolean;
  /** PEM of the CA (or certificate) to trust for TLS; the system's trusted CAs otherwise. */
  caCertificate?: string;
  /** Bound of one whole request (connect, TLS handshake, answer), ms. */
  timeoutMs: number;
}

/** How errors name an InfluxDB target: "influx host:port[ user name]". Never a secret. */
export function influxTargetOf(t: Pick<InfluxTarget, "hostPort">, user?: string): string {
  return `influx ${t.hostPort}${user ? ` user ${user}` : ""}`;
}

/** The base URL of the target's HTTP API. */
export function influxUrl(t: Pick<InfluxTarget, "hostPort" | "tls">): string {
  return `${t.tls ? "https" : "http"}://${t.hostPort}`;
}

/** The Authorization header of basic auth (RFC 7617, UTF-8). */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL|ERR_TLS|EPROTO|wrong version number|certificate|altnames/i;

/** The InfluxError for a request that got no HTTP answer. */
function transportError(err: unknown, target: InfluxTarget, where: string, secrets: string[]): InfluxError {
  if ((err as { name?: string })?.name === "AbortError") {
    return new InfluxError(`no answer within ${target.timeoutMs} ms`, {
      operation: "login",
      target: where,
      serverCode: "TIMEOUT",
      transient: true,
    });
  }
  const code = (err as { code?: string })?.code ?? "";
  const text = redact(`${code} ${safeMessage(err, secrets)}`.trim(), secrets);
  if (TLS_CODES.test(text)) {
    return new InfluxError(`TLS handshake failed (check influx.tls and influx.caCertificate): ${text}`, {
      operation: "login",
      target: where,
      serverCode: "TLS",
    });
  }
  const refused = /ECONNREFUSED/.test(text);
  const closed = /ECONNRESET|EPIPE|socket hang up/i.test(text);
  const hint = closed ? " (a server that expects TLS closes a plain connection: check influx.tls)" : "";
  return new InfluxError(`database not reachable${hint}: ${text}`, {
    operation: "login",
    target: where,
    serverCode: refused ? "ECONNREFUSED" : closed ? "CONNECTION_CLOSED" : code || undefined,
    transient: refused || closed || /EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ETIMEDOUT/.test(text),
  });
}

/** The text of InfluxDB's error body (`{"error": "..."}`), or the start of the body. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed?.error === "string") return parsed.error;
  } catch {
    // not JSON: the body as it is
  }
  return body.slice(0, 200);
}

/**
 * Whether `username` logs in with `password` now (`GET /query?q=SHOW DATABASES` with basic
 * auth): true on 200, false on 401, or a thrown InfluxError for any other answer or none:
 * `transient` for a refused or closed connection, a timeout, 429 and 5xx; not for a TLS
 * failure, a redirect or another status (403 from a server that has no admin yet, say).
 */
export async function influxLogin(target: InfluxTarget, username: string, password: string): Promise<boolean> {
  const secrets = [password];
  const where = influxTargetOf(target, username);
  const agent = target.tls
    ? new https.Agent({
        keepAlive: false,
        rejectUnauthorized: true,
        ...trusting(target.caCertificate),
      })
    : new http.Agent({ keepAlive: false });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), target.timeoutMs);
  let status: number;
  let body: string;
  let requestId: string | undefined;
  try {
    const res = await fetch(`${influxUrl(target)}/query?q=${encodeURIComponent("SHOW DATABASES")}`, {
      method: "GET",
      headers: { Authorization: basicAuth(username, password), Accept: "application/json" },
      agent,
      redirect: "manual",
      compress: false,
      signal: controller.signal as RequestInit["signal"],
    });
    status = res.status;
    requestId = res.headers.get("x-request-id") ?? undefined;
    body = await res.text();
  } catch (err) {
    throw transportError(err, target, where, secrets);
  } finally {
    clearTimeout(timer);
    agent.destroy();
  }
  if (status === 200) return true;
  if (status === 401) return false;
  const redirect = status >= 300 && status < 400;
  // Go's HTTPS server answers a plain request with this 400 (InfluxDB is written in Go)
  const expectsTls = status === 400 && /HTTP request to an HTTPS server/i.test(body);
  const message = redirect
    ? "refused to follow a redirect (credentials are only sent to the configured address)"
    : expectsTls
      ? "the server expects TLS (check influx.tls)"
      : redact(errorText(body), secrets).trim() || `HTTP ${status}`;
  throw new InfluxError(message, {
    operation: "login",
    target: where,
    httpStatus: status,
    serverCode: expectsTls ? "TLS" : undefined,
    requestId,
    transient: status === 429 || status >= 500,
  });
}
