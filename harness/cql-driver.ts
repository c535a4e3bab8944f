/**
 * The DataStax Node.js driver (`cassandra-driver`) as a witness: a client the provider does not
 * use, for tests and the bench to ask a node what it holds independently of provider/cql/login.ts.
 */
import type * as CassandraDriver from "cassandra-driver";
import { CqlTarget } from "../provider/cql/client";

let driver: typeof CassandraDriver | undefined;
/** The driver, loaded on first use. */
export function loadDriver(): typeof CassandraDriver {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (driver ??= require("cassandra-driver") as typeof CassandraDriver);
}

/**
 * Whether `username` logs in with `password` at `target`, asked through the driver: true, false
 * (an AuthenticationError), or the driver's error for anything else. One client: connect (its
 * control connection logs in), shut down.
 */
export async function driverLogin(target: CqlTarget, username: string, password: string): Promise<boolean> {
  const cassandra = loadDriver();
  const client = new cassandra.Client({
    contactPoints: [target.hostPort],
    localDataCenter: target.localDataCenter,
    credentials: { username, password },
    sslOptions: target.tls
      ? { rejectUnauthorized: true, ...(target.caCertificate ? { ca: [target.caCertificate] } : {}) }
      : undefined,
    socketOptions: { connectTimeout: target.timeoutMs, readTimeout: target.timeoutMs },
    pooling: { warmup: false },
    isMetadataSyncEnabled: false,
    protocolOptions: { maxVersion: cassandra.types.protocolVersion.v4 },
  });
  try {
    await client.connect();
    return true;
  } catch (err) {
    const inner = (err as { innerErrors?: Record<string, unknown> }).innerErrors;
    const errors = inner && typeof inner === "object" ? Object.values(inner) : [err];
    if (
      errors.some(
        (e) =>
          (e as { name?: string })?.name === "AuthenticationError" &&
          !/Unable to perform authentication/i.test((e as Error).message ?? ""),
      )
    ) {
      return false;
    }
    throw err;
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
