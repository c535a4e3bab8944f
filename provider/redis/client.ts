/**
 * The Redis wire (GeminiDB for Redis, Redis): the only file that talks RESP, over Node's own
 * `net` and `tls`. A login proof needs two commands and their one-line answers, which a
 * client library (ioredis, node-redis: reconnection, offline queues, a command table) would
 * only wrap; without one, nothing retries or reconnects behind the caller's back.
 *
 * - Redis checks a password when a connection sends AUTH; a connection authenticated before a
 *   password change keeps working. So a login proof is a connection of its own: AUTH, PING,
 *   closed. GeminiDB's admin logs in with a password only (`AUTH <password>`, the `default`
 *   user of Redis 6+).
 * - GeminiDB locks a client address for a few seconds after more than 5 failed AUTHs: one
 *   AUTH per connection, and the caller decides how often to ask.
 * - The password travels as a RESP bulk string (length-prefixed bytes): any character, no
 *   quoting. It is in no error: server text passes through `redact`.
 */
import * as net from "net";
import * as tls from "tls";
import { RedisError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";
import { HostPort, portInRange, splitHostPort } from "../shared/address";
import { trusting } from "../shared/tls";

export interface RedisTarget {
  /** host:port of the server (`[v6]:port` for an IPv6 address). */
  hostPort: string;
  tls: boolean;
  /** PEM of the CA (or certificate) to trust for TLS; the system's trusted CAs otherwise. */
  caCertificate?: string;
  /** Bound of one whole exchange (connect, TLS handshake, AUTH, PING), ms. */
  timeoutMs: number;
}

/** How errors name a Redis target: "redis host:port". Never a secret. */
export function redisTargetOf(t: Pick<RedisTarget, "hostPort">): string {
  return `redis ${t.hostPort}`;
}

/** Where a connection to `hostPort` ("host:port" or "[v6]:port") opens. */
export function redisSocketAddress(hostPort: string): HostPort {
  const address = splitHostPort(hostPort);
  if (!address || !portInRange(address.port)) {
    throw new RedisError(`not a host:port address: ${JSON.stringify(hostPort)}`, {
      operation: "connect",
      target: `redis ${hostPort}`,
    });
  }
  return address;
}

/** A RESP array of bulk strings: the binary-safe form of a command. */
export function respCommand(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** One RESP answer line: a simple string (`+OK`) or an error (`-WRONGPASS ...`). */
export type RedisReply = { ok: true; text: string } | { ok: false; text: string; code: string };

/**
 * Error answers to AUTH that mean "this password is not it": Redis 6+ (`WRONGPASS invalid
 * username-password pair or user is disabled.`), Redis ≤ 5 (`ERR invalid password`), and
 * `NOAUTH` / `ERR invalid username-password pair` from servers and proxies that speak like them.
 */
const REFUSED = /^(WRONGPASS|NOAUTH)\b|^ERR invalid (password|username-password)/i;
/** Redis ≤ 5 and 6+ answer AUTH on a server without a password with this. */
const PASSWORD_FREE = /without any password configured|no password is set/i;
/** Answers that pass by themselves: loading a dataset, a busy script, a full client table, a failover. */
const TRANSIENT = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN)\b|^ERR max number of clients/i;

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL|ERR_TLS|EPROTO|wrong version number|certificate|altnames/i;

/** The RedisError for a failure of the socket (connect, TLS, a closed connection). */
function transportError(err: unknown, target: RedisTarget, secrets: string[]): RedisError {
  if (err instanceof RedisError) return err;
  const code = (err as { code?: string })?.code ?? "";
  const text = `${code} ${safeMessage(err, secrets)}`.trim();
  const where = redisTargetOf(target);
  if (TLS_CODES.test(text)) {
    return new RedisError(`TLS handshake failed (check redis.tls and redis.caCertificate): ${redact(text, secrets)}`, {
      operation: "login",
      target: where,
      serverCode: "TLS",
    });
  }
  const refused = /ECONNREFUSED/.test(text);
  const closed = /ECONNRESET|EPIPE|closed|socket hang up/i.test(text);
  const unresolved = /ENOTFOUND|EAI_AGAIN/.test(text);
  const serverCode = refused ? "ECONNREFUSED" : closed ? "CONNECTION_CLOSED" : code || undefined;
  const hint = closed
    ? " (a server that expects TLS closes a plain connection: check redis.tls)"
    : unresolved
      ? " (check redis.address)"
      : "";
  return new RedisError(`database not reachable${hint}: ${redact(text, secrets)}`, {
    operation: "login",
    target: where,
    serverCode,
    transient: refused || closed || /EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ETIMEDOUT/.test(text),
  });
}

/**
 * Sends `commands` (respCommand's) on a fresh connection and resolves with one answer line per
 * command, then closes. Rejects with a RedisError when the exchange does not finish within the
 * bound, or when an answer is not a status line (`+...` or `-...`). `secrets` are kept out of
 * any error.
 */
export function redisExchange(target: RedisTarget, commands: Buffer[], secrets: string[]): Promise<RedisReply[]> {
  const { host, port } = redisSocketAddress(target.hostPort);
  return new Promise<RedisReply[]>((resolve, reject) => {
    const replies: RedisReply[] = [];
    let buffered = "";
    let settled = false;
    const socket: net.Socket = target.tls
      ? tls.connect({
          host,
          port,
          // SNI only for a name (RFC 6066); the certificate is checked against the host either way
          ...(net.isIP(host) ? {} : { servername: host }),
          ...trusting(target.caCertificate),
          rejectUnauthorized: true,
        })
      : net.connect({ host, port });
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(replies);
    };
    let connected = false;
    let secured = false;
    const timer = setTimeout(() => {
      // A plain server takes a TLS client hello for the start of an inline command and waits for
      // its end: a handshake that gets no answer on an open connection is a TLS mismatch, which
      // will not pass by itself.
      const handshake = target.tls && connected && !secured;
      finish(
        new RedisError(
          handshake
            ? `TLS handshake got no answer within ${target.timeoutMs} ms ` +
                "(a server without TLS waits for a command: check redis.tls)"
            : `no answer within ${target.timeoutMs} ms`,
          {
            operation: "login",
            target: redisTargetOf(target),
            serverCode: handshake ? "TLS" : "TIMEOUT",
            transient: !handshake,
          },
        ),
      );
    }, target.timeoutMs);
    socket.once("connect", () => (connected = true));
    socket.once(target.tls ? "secureConnect" : "connect", () => {
      secured = true;
      socket.write(Buffer.concat(commands));
    });
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line.startsWith("+")) replies.push({ ok: true, text: line.slice(1) });
        else if (line.startsWith("-"))
          replies.push({ ok: false, text: line.slice(1), code: line.slice(1).split(" ")[0] });
        else {
          return finish(
            new RedisError(`unexpected answer (not a RESP status line): ${redact(line.slice(0, 80), secrets)}`, {
              operation: "login",
              target: redisTargetOf(target),
              serverCode: "PROTOCOL",
            }),
          );
        }
        if (replies.length === commands.length) return finish();
      }
    });
    socket.on("error", (err) => finish(transportError(err, target, secrets)));
    socket.on("close", () =>
      finish(
        transportError(
          Object.assign(new Error(`connection closed after ${replies.length} of ${commands.length} answers`), {
            code: "ECONNRESET",
          }),
          target,
          secrets,
        ),
      ),
    );
  });
}

/**
 * Whether `password` logs in now (`AUTH <password>`, then `PING`, on a connection of its own):
 * true, false (the server refused the password), or a thrown RedisError when the server could
 * not be asked or its answer does not tell: `transient` for a refused or closed connection, a
 * timeout and a server that is loading or full; not for a TLS failure, nor for a server
 * without a password (serverCode `PASSWORD_FREE`: any password is accepted, none is proven).
 */
export async function redisLogin(target: RedisTarget, password: string): Promise<boolean> {
  const secrets = [password];
  const where = redisTargetOf(target);
  const [auth, ping] = await redisExchange(target, [respCommand("AUTH", password), respCommand("PING")], secrets);
  if (!auth.ok) {
    if (REFUSED.test(auth.text)) return false;
    if (PASSWORD_FREE.test(auth.text)) {
      throw new RedisError("the server has no password: any login is accepted, so no password can be proven", {
        operation: "login",
        target: where,
        serverCode: "PASSWORD_FREE",
      });
    }
    throw new RedisError(redact(auth.text, secrets), {
      operation: "login",
      target: where,
      serverCode: auth.code,
      transient: TRANSIENT.test(auth.text),
    });
  }
  if (ping.ok && /^PONG$/i.test(ping.text)) return true;
  throw new RedisError(`AUTH was accepted but PING answered ${redact(ping.text, secrets)}`, {
    operation: "login",
    target: where,
    serverCode: ping.ok ? "PROTOCOL" : ping.code,
    transient: !ping.ok && TRANSIENT.test(ping.text),
  });
}

/**
 * The address this machine connects to `hostPort` from, as the database sees it when nothing
 * translates it: what GeminiDB's password-free configuration would have to list.
 */
export function localAddressTowards(hostPort: string, timeoutMs = 5000): Promise<string | undefined> {
  const { host, port } = redisSocketAddress(hostPort);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (address: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(address);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once("connect", () => done(socket.localAddress?.replace(/^::ffff:/, "")));
    socket.once("error", () => done(undefined));
  });
}
