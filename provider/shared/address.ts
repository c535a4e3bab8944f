/**
 * Addresses, parsed in one place: a host (a name, an IPv4 address, or an IPv6 address in
 * brackets) and a port, in the forms the resources take, without zod (the provider host needs
 * them on every operation, the schemas only in check).
 *
 * - `HOST_PORT`: `host` or `host:port`, a database node as the inputs give it (CQL, and GeminiDB's
 *   Redis, Influx and Mongo proof blocks); the resource adds its port where none is given
 *   (`withPort`).
 * - `URL_ADDRESS`: the same with `http://` or `https://` in front and a `/` behind, as Milvus's
 *   SDKs take an address (`https` means TLS).
 * - `splitHostPort`: the host and port of a `host:port` that is already whole (a target's, a
 *   plugin's argument), for a socket to connect to; `joinHostPort` writes one.
 *
 * A port of the forms is one to five digits; whether it is within 1..65535 (`portInRange`) is
 * each caller's check, with its own message.
 */

/** A host as an address gives it: an IPv6 address in brackets, or a name or IPv4 address (at most 253 characters). */
const HOST = String.raw`\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?`;
const PORT = String.raw`\d{1,5}`;

/** `host` or `host:port`. */
export const HOST_PORT = new RegExp(`^(?<host>${HOST})(?::(?<port>${PORT}))?$`);
/** `host[:port]` with `http://` or `https://` in front and a `/` behind, each optional. */
export const URL_ADDRESS = new RegExp(`^(?:(?<scheme>https?)://)?(?<host>${HOST})(?::(?<port>${PORT}))?/?$`);

export interface HostPort {
  /** Without brackets: `::1`. */
  host: string;
  port: number;
}

/** Whether `port` is one a socket can use. */
export function portInRange(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** The port `address` gives in `form` (its digits as written), or undefined: none, or not of the form. */
export function portOf(address: string, form: RegExp): string | undefined {
  return form.exec(address)?.groups?.port;
}

export interface ParsedAddress {
  /** `http` or `https` when the address names one (URL_ADDRESS only). */
  scheme?: string;
  /** Without brackets. */
  host: string;
  /** host:port as a client connects to it: an IPv6 host in brackets, the port as written or the default. */
  hostPort: string;
}

/** `address` in `form`, with `defaultPort` where it gives none; undefined when it is not of the form. */
export function parseAddress(address: string, form: RegExp, defaultPort: number): ParsedAddress | undefined {
  const g = form.exec(address)?.groups;
  if (!g) return undefined;
  return {
    ...(g.scheme ? { scheme: g.scheme } : {}),
    host: g.host.replace(/^\[|\]$/g, ""),
    hostPort: `${g.host}:${g.port ?? defaultPort}`,
  };
}

const ENDS_IN_PORT = new RegExp(`:${PORT}$`);

/**
 * `address` as host:port: as it is when it ends in a port, else with `port` (`[::1]` becomes
 * `[::1]:9042`). A text that is not an address is not mended: the connection fails on it.
 */
export function withPort(address: string, port: number): string {
  return ENDS_IN_PORT.test(address) ? address : `${address}:${port}`;
}

const SPLIT = new RegExp(`^(?:\\[(?<v6>[^\\]]+)\\]|(?<name>[^:]+))?(?::(?<port>${PORT}))?$`);

/**
 * The host (brackets off) and port of `host:port`, `[v6]:port`, or, where `defaults` give
 * them, of a text without one (`:port`, `host`). Undefined when there is no host or port, or
 * the text is not of these forms. The port's range is the caller's to check (portInRange).
 */
export function splitHostPort(text: string, defaults: { host?: string; port?: number } = {}): HostPort | undefined {
  const g = SPLIT.exec(text)?.groups;
  const host = g && (g.v6 ?? g.name ?? defaults.host);
  const port = g?.port !== undefined ? Number(g.port) : defaults.port;
  return host === undefined || port === undefined ? undefined : { host, port };
}

/** host:port as addresses and messages write it: an IPv6 host in brackets. */
export function joinHostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}
