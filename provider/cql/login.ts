/**
 * A CQL login and nothing else, for login proofs: one connection to one node, the native
 * protocol's handshake (STARTUP, AUTHENTICATE, AUTH_RESPONSE with SASL PLAIN, the token
 * `\0user\0password` that PasswordAuthenticator takes), the answer, close. No query.
 *
 * Why not the driver (provider/cql/client.ts's cqlLogin): a driver connect also opens a
 * control connection that reads system.local and system.peers (and, unless turned off, the
 * schema), and it may reach any node of the cluster it discovers; a proof wants to ask one
 * named node whether it takes a password now, at the least cost to that node
 * (bench/cql-login.ts measures both).
 *
 * Protocol v4 (Cassandra 3.x to 5, GeminiDB), v3 when a server refuses v4; frames as the
 * spec defines them: a 9-byte header (version, flags, stream, opcode, length) and the body,
 * uncompressed. v5 changes the framing right after the handshake's first answer, and adds
 * nothing a login needs.
 *
 * Answers: AUTH_SUCCESS (or READY: a server without authentication) is true; ERROR 0x0100
 * (bad credentials) is false, except Cassandra's "Unable to perform authentication: ...", which
 * is a node that could not read the role (its replicas are down): that, a refused or stalled
 * connection, TLS failures and every other error are a CqlError, never with the password.
 */
import * as net from "net";
import * as tls from "tls";
import { CqlError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";
import { CQL_PORT, CqlTarget, cqlError, cqlLabel } from "./client";

/** One node's native transport, with the TLS options of cqlTarget. */
export interface CqlNode {
  host: string;
  port: number;
  tls?: boolean;
  /** PEM of the CA (or certificate) to trust for TLS; the system's trusted CAs otherwise. */
  caCertificate?: string;
}

/** The node a CqlTarget names (its host:port, TLS and CA). */
export function cqlNodeOf(target: Pick<CqlTarget, "hostPort" | "tls" | "caCertificate">): CqlNode {
  const m = /^\[?(.*?)\]?(?::(\d{1,5}))?$/.exec(target.hostPort)!;
  return { host: m[1], port: m[2] ? Number(m[2]) : CQL_PORT, tls: target.tls, caCertificate: target.caCertificate };
}

const OP = {
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  AUTHENTICATE: 0x03,
  AUTH_CHALLENGE: 0x0e,
  AUTH_RESPONSE: 0x0f,
  AUTH_SUCCESS: 0x10,
};
const FLAG = { TRACING: 0x02, CUSTOM_PAYLOAD: 0x04, WARNING: 0x08 };
/** Server error codes (native protocol spec, section 9). */
const BAD_CREDENTIALS = 0x0100;
const PROTOCOL_ERROR = 0x000a;
/** Unavailable, overloaded, bootstrapping, write and read timeouts: may pass by themselves. */
const TRANSIENT_CODES = new Set([0x1000, 0x1001, 0x1002, 0x1100, 0x1200]);
/** Cassandra's text for a 0x0100 when it could not read the role's credentials (PasswordAuthenticator). */
const COULD_NOT_READ = /^Unable to perform authentication/i;
/** A body larger than this is not a handshake answer. */
const MAX_BODY = 1 << 20;

interface Frame {
  version: number;
  opcode: number;
  body: Buffer;
}

function frame(version: number, opcode: number, body: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUInt8(version, 0); // a request: the direction bit is 0
  header.writeUInt8(0, 1); // no flags (no compression, no tracing)
  header.writeInt16BE(0, 2); // stream 0: one request at a time
  header.writeUInt8(opcode, 4);
  header.writeInt32BE(body.length, 5);
  return Buffer.concat([header, body]);
}

/** [string]: a short length and UTF-8 bytes. */
function str(text: string): Buffer {
  const b = Buffer.from(text, "utf8");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
}

const startup = (version: number) =>
  frame(version, OP.STARTUP, Buffer.concat([Buffer.from([0, 1]), str("CQL_VERSION"), str("3.0.0")]));

function authResponse(version: number, username: string, password: string): Buffer {
  const token = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(username, "utf8"),
    Buffer.from([0]),
    Buffer.from(password, "utf8"),
  ]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(token.length, 0);
  return frame(version, OP.AUTH_RESPONSE, Buffer.concat([len, token]));
}

/** The body after what the flags put before it (tracing id, warnings, custom payload). */
function payload(flags: number, body: Buffer): Buffer {
  let at = 0;
  if (flags & FLAG.TRACING) at += 16;
  if (flags & FLAG.WARNING) {
    const n = body.readUInt16BE(at);
    at += 2;
    for (let i = 0; i < n; i++) at += 2 + body.readUInt16BE(at);
  }
  if (flags & FLAG.CUSTOM_PAYLOAD) {
    const n = body.readUInt16BE(at);
    at += 2;
    for (let i = 0; i < n; i++) {
      at += 2 + body.readUInt16BE(at);
      at += 4 + Math.max(0, body.readInt32BE(at));
    }
  }
  return body.subarray(at);
}

/** An ERROR frame's code and message. */
function errorOf(body: Buffer): { code: number; message: string } {
  const code = body.readInt32BE(0);
  const n = body.readUInt16BE(4);
  return { code, message: body.subarray(6, 6 + n).toString("utf8") };
}

/** Raised inside the exchange for a server answer that is neither success nor refusal. */
class ServerAnswer extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Raised inside the exchange for an answer outside the handshake the protocol defines. */
class OutOfProtocol extends Error {}

/** TLS records start with 0x15 (alert) or 0x16 (handshake): a TLS node answering a plain client. */
const notCql = (first: number) =>
  new OutOfProtocol(
    first === 0x15 || first === 0x16
      ? "the node answers with TLS (check cql.tls)"
      : "the node's answer is not a CQL frame",
  );

/**
 * One connection: the handshake at `version`, then close. Resolves with the login's answer;
 * rejects with the socket's error, a ServerAnswer, or OutOfProtocol.
 */
function exchange(
  node: CqlNode,
  version: number,
  username: string,
  password: string,
  deadline: number,
): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const options = { host: node.host, port: node.port, noDelay: true };
    const socket: net.Socket = node.tls
      ? tls.connect({
          ...options,
          rejectUnauthorized: true,
          ...(node.caCertificate ? { ca: [node.caCertificate] } : {}),
          ...(net.isIP(node.host) ? {} : { servername: node.host }),
        })
      : net.connect(options);
    let settled = false;
    const finish = (err: unknown, answer?: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(
      () => finish(Object.assign(new Error("timed out waiting for the node's answer"), { code: "ETIMEDOUT" })),
      Math.max(0, deadline - Date.now()),
    );
    let pending = Buffer.alloc(0);
    const onFrame = (f: Frame) => {
      switch (f.opcode) {
        case OP.AUTHENTICATE:
          socket.write(authResponse(version, username, password));
          return;
        case OP.READY: // a node without authentication: every password logs in
        case OP.AUTH_SUCCESS:
          return finish(undefined, true);
        case OP.ERROR: {
          const { code, message } = errorOf(f.body);
          if (code === BAD_CREDENTIALS && !COULD_NOT_READ.test(message)) return finish(undefined, false);
          return finish(new ServerAnswer(code, message));
        }
        case OP.AUTH_CHALLENGE:
          return finish(
            new OutOfProtocol(
              "the node asks for another SASL round: its authenticator is not PasswordAuthenticator's PLAIN",
            ),
          );
        default:
          return finish(new OutOfProtocol(`unexpected answer (opcode ${f.opcode}) to the handshake`));
      }
    };
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      try {
        while (!settled && pending.length > 0) {
          // every answer's first byte has the response bit: known before the header is whole
          if ((pending[0] & 0x80) === 0) return finish(notCql(pending[0]));
          if (pending.length < 9) return;
          const length = pending.readInt32BE(5);
          if (length < 0 || length > MAX_BODY) return finish(notCql(pending[0]));
          if (pending.length < 9 + length) return;
          const body = pending.subarray(9, 9 + length);
          onFrame({ version: pending[0] & 0x7f, opcode: pending[4], body: payload(pending[1], body) });
          pending = pending.subarray(9 + length);
        }
      } catch {
        finish(notCql(pending[0]));
      }
    });
    socket.once(node.tls ? "secureConnect" : "connect", () => socket.write(startup(version)));
    socket.once("error", (err) => finish(err));
    socket.once("close", () =>
      finish(Object.assign(new Error("connection closed before an answer"), { code: "ECONNRESET" })),
    );
  });
}

/**
 * Whether `username` logs in with `password` on this node now: true (logged in), false (the
 * node refused the credentials), or a thrown CqlError when the node could not tell (not
 * reachable, no answer within `timeoutMs`, TLS failure, unavailable replicas, any other error).
 * One connection, closed before this returns; at most two when the node refuses protocol v4.
 */
export async function cqlNodeLogin(
  node: CqlNode,
  username: string,
  password: string,
  timeoutMs: number,
): Promise<boolean> {
  const label = cqlLabel({ hostPort: `${node.host}:${node.port}` }, username);
  const deadline = Date.now() + timeoutMs;
  let version = 4;
  for (;;) {
    try {
      return await exchange(node, version, username, password, deadline);
    } catch (err) {
      if (err instanceof ServerAnswer) {
        // a node older than protocol v4 answers a protocol error naming the versions it speaks
        if (err.code === PROTOCOL_ERROR && version === 4 && /protocol version/i.test(err.message)) {
          version = 3;
          continue;
        }
        const couldNotRead = err.code === BAD_CREDENTIALS;
        const text = redact(safeMessage(err, [password]), [password]);
        throw new CqlError(`${couldNotRead ? "the node could not check the credentials: " : ""}${text}`, {
          operation: "login",
          target: label,
          serverCode: String(err.code),
          transient: couldNotRead || TRANSIENT_CODES.has(err.code),
        });
      }
      if (err instanceof OutOfProtocol)
        throw new CqlError(err.message, { operation: "login", target: label, serverCode: "PROTOCOL" });
      throw cqlError(err, "login", label, [password]);
    }
  }
}
