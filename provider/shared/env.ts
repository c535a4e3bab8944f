/**
 * Environment defaults. Only non-secret values (addresses, regions, ids) are ever copied
 * into inputs; credentials are read from the environment when an operation runs, so that a
 * credential given through the environment never enters state.
 */

export function envValue(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[name];
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

/** True for host names that stay on this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}
