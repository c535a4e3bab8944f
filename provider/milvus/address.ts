/**
 * Milvus user names and addresses, without zod: the provider host needs them on every
 * operation, the schema (and zod) only in check.
 */

/** Milvus user names: a letter first, then letters, digits or underscores; at most 32. */
export const USER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** host:port, optionally with http:// or https:// in front (https means TLS). */
export const ADDRESS =
  /^(?:(https?):\/\/)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(\d{1,5}))?\/?$/;

/** Splits an address into host:port and TLS (https means TLS; port default 19530). */
export function parseAddress(address: string): { hostPort: string; tls: boolean; host: string } {
  const m = ADDRESS.exec(address);
  if (!m) throw new Error("invalid address");
  const host = m[2];
  const port = m[3] ?? "19530";
  return { hostPort: `${host}:${port}`, tls: m[1] === "https", host: host.replace(/^\[|\]$/g, "") };
}
