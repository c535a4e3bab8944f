/**
 * Milvus user names, and how a Milvus address reads, without zod: the provider host needs them
 * on every operation, the schema (and zod) only in check. Addresses are parsed by
 * shared/address.ts; what is Milvus's here is its default port and that `https` means TLS.
 */
import { URL_ADDRESS, parseAddress as parseUrlAddress } from "../shared/address";

/** Milvus user names: a letter first, then letters, digits or underscores; at most 32. */
export const USER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** The port of an address that gives none: the Milvus proxy's gRPC port. */
export const MILVUS_PORT = 19530;

/** A Milvus address: host:port, optionally with http:// or https:// in front (https means TLS). */
export const ADDRESS = URL_ADDRESS;

/** Splits an address into host:port and TLS (https means TLS; port default 19530). */
export function parseAddress(address: string): { hostPort: string; tls: boolean; host: string } {
  const parsed = parseUrlAddress(address, ADDRESS, MILVUS_PORT);
  if (!parsed) throw new Error("invalid address");
  return { hostPort: parsed.hostPort, tls: parsed.scheme === "https", host: parsed.host };
}
