/**
 * One HTTP exchange with a Huawei Cloud API through node-fetch: a timeout per attempt,
 * redirects refused (a redirect could carry a token or signature to another host), TLS
 * verification left on, and every failure turned into a GeminiDbError that holds the
 * service's error code, the HTTP status and X-Request-Id, never a secret. The requests of a
 * process share its connections to an endpoint: node-fetch 2.7 uses Node's global agent, which
 * keeps connections open between requests (since Node 19; a connection idle for 5 s closes), so a
 * step of many resources makes one TLS handshake per endpoint, not one per request
 * (test/servers/geminidb-wire.test.ts).
 */
import fetch, { RequestInit, Response } from "node-fetch";
import { GeminiDbError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";

export interface HttpRequest {
  method: "GET" | "PUT" | "POST";
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A parsed JSON body; each field is checked where it is read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface HttpResponse {
  status: number;
  headers: Response["headers"];
  text: string;
  json: Json;
  requestId?: string;
}

/** DBS and APIG codes after which a retry may succeed (docs/ARCHITECTURE.md, section 7). */
export const RETRYABLE_CODES = new Set(["DBS.200019", "DBS.201015", "DBS.280005", "APIG.0308"]);

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Sends one request; resolves for every HTTP status, rejects with GeminiDbError on transport failure. */
export async function send(
  req: HttpRequest,
  operation: string,
  target: string,
  timeoutMs: number,
  secrets: string[],
): Promise<HttpResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body === "" ? undefined : req.body,
      redirect: "manual",
      signal: controller.signal as RequestInit["signal"],
      compress: false,
    });
    text = await res.text();
  } catch (err) {
    const aborted = (err as { name?: string }).name === "AbortError";
    throw new GeminiDbError(
      aborted ? `no answer within ${timeoutMs} ms` : `request failed: ${safeMessage(err, secrets)}`,
      {
        operation,
        target,
        serverCode: aborted ? "TIMEOUT" : (err as { code?: string }).code,
        transient: true,
        ambiguous: req.method !== "GET",
      },
    );
  } finally {
    clearTimeout(timer);
  }
  const requestId = res.headers.get("x-request-id") ?? undefined;
  if (res.status >= 300 && res.status < 400) {
    throw new GeminiDbError("refused to follow a redirect (credentials are only sent to the configured endpoint)", {
      operation,
      target,
      httpStatus: res.status,
      requestId,
    });
  }
  let json: Json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, requestId };
}

/** How much of a server's error text an error keeps. */
export const MAX_MESSAGE = 300;

/** The GeminiDbError for a non-success answer. */
export function errorFromResponse(
  res: HttpResponse,
  operation: string,
  target: string,
  secrets: string[],
): GeminiDbError {
  const code: string | undefined = res.json?.error_code ?? res.json?.error?.code?.toString();
  const raw: unknown = res.json?.error_msg ?? res.json?.error?.message ?? res.text;
  // redacted whole, then cut: a cut first could split a secret and leave a piece the redaction misses
  const clean = raw ? redact(String(raw), secrets) : `HTTP ${res.status}`;
  const message = clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE)}…` : clean;
  const transient = res.status === 429 || res.status >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
  return new GeminiDbError(message, {
    operation,
    target,
    serverCode: code,
    httpStatus: res.status,
    requestId: res.requestId,
    transient,
    retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
  });
}
