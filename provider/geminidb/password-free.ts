/**
 * GeminiDB's password-free access (Redis only; Huawei's API reference, "Querying the
 * Password-Free Configuration of a GeminiDB Redis Instance", nosql_05_0066): from an address
 * it lists, every password logs in, so a Redis proof made from there can prove nothing. Only a
 * Redis proof asks, and only when its answer looks like that.
 */
import { BlockList, isIP } from "net";
import type { ProofOutcome } from "../shared/login-proof";
import type { GeminiDbClient } from "./client";

/** The server code of a Redis login that no password was asked for (redis/client.ts). */
export const PASSWORD_FREE = "PASSWORD_FREE";

/** Whether a proof found the server taking logins without a password. */
export const passwordFree = (outcome: ProofOutcome) =>
  outcome.kind === "unreachable" && outcome.error.serverCode === PASSWORD_FREE;

/**
 * Whether `ip` is one of `entries` (addresses or CIDR blocks, as `config_ips` lists them: IPv4
 * only, says the API). `ip` is this machine's address towards the database, which may be IPv6,
 * or an IPv4 address in IPv6's mapped form (`::ffff:10.0.0.5`) on a dual-stack socket: both are
 * compared by Node's BlockList, which knows the mapping.
 */
export function ipCovered(ip: string, entries: readonly string[]): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const entry of entries) {
    const [base, bits] = entry.trim().split("/");
    const type = isIP(base) === 6 ? "ipv6" : isIP(base) === 4 ? "ipv4" : undefined;
    if (!type) continue;
    const max = type === "ipv4" ? 32 : 128;
    const prefix = bits === undefined ? max : /^\d+$/.test(bits) ? Number(bits) : NaN;
    if (!(prefix >= 0 && prefix <= max)) continue;
    list.addSubnet(base, prefix, type);
  }
  return list.check(ip, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The address of this machine when the instance's password-free configuration covers it (then
 * no Redis password can be proved refused from here), else undefined.
 */
export async function passwordFreeHere(
  client: GeminiDbClient,
  projectId: string,
  instanceId: string,
  hostPort: string,
): Promise<string | undefined> {
  const ips = await client.getPasswordlessConfig(projectId, instanceId);
  // only a Redis proof gets here, so its client is loaded already
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { localAddressTowards } = require("../redis/client") as typeof import("../redis/client");
  const local = await localAddressTowards(hostPort);
  return local && ipCovered(local, ips) ? local : undefined;
}
