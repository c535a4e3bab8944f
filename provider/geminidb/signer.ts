/**
 * Huawei Cloud AK/SK request signing, algorithm SDK-HMAC-SHA256 (docs/ARCHITECTURE.md, section 7): a canonical
 * request (method, canonical URI always ending in "/", sorted query, sorted lowercase
 * headers, signed header list, hex SHA-256 of the body), a string to sign
 * "SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex SHA-256 of the canonical request}", and an HMAC-SHA256
 * of it with the secret key.
 */
import { createHash, createHmac } from "crypto";

export const ALGORITHM = "SDK-HMAC-SHA256";

export interface SignableRequest {
  method: string;
  /** Absolute URL; its host (with a non-default port) is signed as the `host` header. */
  url: string;
  /** Headers to send and sign (besides host and X-Sdk-Date, which the signer adds). */
  headers: Record<string, string>;
  /** The exact body text that will be sent ("" for none). */
  body: string;
}

export interface AkSk {
  accessKey: string;
  secretKey: string;
}

/** RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ is escaped, as UTF-8. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, "%20"));
  } catch {
    return s;
  }
}

/** Each path segment encoded once; always ends in "/". */
export function canonicalUri(pathname: string): string {
  const encoded = pathname
    .split("/")
    .map((seg) => uriEncode(safeDecode(seg)))
    .join("/");
  return encoded.endsWith("/") ? encoded : encoded + "/";
}

/** key=value pairs sorted by key, repeated keys by value; a bare key signs as "key=". */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith("?") ? search.slice(1) : search;
  if (!raw) return "";
  const pairs = raw
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      return i < 0 ? [safeDecode(p), ""] : [safeDecode(p.slice(0, i)), safeDecode(p.slice(i + 1))];
    });
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join("&");
}

export function sha256Hex(data: string): string {
  return createHash("sha256").update(data, "utf8").digest("hex");
}

/** YYYYMMDDTHHMMSSZ in UTC. */
export function sdkDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export interface Canonical {
  canonicalRequest: string;
  signedHeaders: string;
}

/** The canonical request of `req` whose headers already hold every header to sign. */
export function canonicalize(req: SignableRequest): Canonical {
  const url = new URL(req.url);
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(req.headers)) headers.set(k.toLowerCase(), v.trim());
  if (!headers.has("host")) headers.set("host", url.host);
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers.get(n)}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.search),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(req.body),
  ].join("\n");
  return { canonicalRequest, signedHeaders };
}

export function signature(canonicalRequest: string, date: string, secretKey: string): string {
  const stringToSign = `${ALGORITHM}\n${date}\n${sha256Hex(canonicalRequest)}`;
  return createHmac("sha256", secretKey).update(stringToSign, "utf8").digest("hex");
}

/**
 * Returns the headers to send: the request's own, plus X-Sdk-Date, Host and Authorization.
 */
export function signRequest(req: SignableRequest, cred: AkSk, now: Date = new Date()): Record<string, string> {
  const date = sdkDate(now);
  const url = new URL(req.url);
  const headers: Record<string, string> = { ...req.headers, "X-Sdk-Date": date, Host: url.host };
  const { canonicalRequest, signedHeaders } = canonicalize({ ...req, headers });
  const sig = signature(canonicalRequest, date, cred.secretKey);
  headers.Authorization = `${ALGORITHM} Access=${cred.accessKey}, SignedHeaders=${signedHeaders}, Signature=${sig}`;
  return headers;
}
