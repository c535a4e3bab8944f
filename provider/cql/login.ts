/**
 * The CQL wire, the project's own: one connection to one node, the native protocol's handshake
 * (STARTUP, AUTHENTICATE, AUTH_RESPONSE with SASL PLAIN, the token `\0user\0password` that
 * PasswordAuthenticator takes), then, when asked, QUERY frames (consistency ONE, no values, no
 * paging; one at a time) and their RESULT. Three uses:
 *
 * - `cqlNodeLogin`: a login and nothing else, for login proofs: does this node take this
 *   password now? Then close.
 * - `cqlNodeQuery`: the login, then one read (the cluster's nodes, provider/cql/nodes.ts).
 * - `cqlNodeSession`: the login, then the statements of a CassandraRolePassword operation
 *   (CREATE, ALTER and DROP ROLE, LIST, GRANT) until the operation closes it
 *   (provider/cql/client.ts's openCqlSession).
 *
 * Why not the DataStax driver: a driver connect also opens a control connection that reads
 * system.local and system.peers (and, unless turned off, the schema), it may reach any node of
 * the cluster it discovers, and loading it costs a process 85 ms; a proof wants to ask one named
 * node whether it takes a password now, and a statement needs one login, at the least cost to
 * that node (bench/cql-login.ts and bench/cql-logins.ts measure both).
 *
 * Protocol v4 (Cassandra 3.x to 5, GeminiDB), v3 when a server refuses v4; frames as the
 * spec defines them: a 9-byte header (version, flags, stream, opcode, length) and the body,
 * uncompressed. v5 changes the framing right after the handshake's first answer, and adds
 * nothing these need.
 *
 * Answers: AUTH_SUCCESS (or READY: a server without authentication) is logged in; ERROR 0x0100
 * (bad credentials) is refused, except Cassandra's "Unable to perform authentication: ...",
 * which is a node that could not read the role (its replicas are down): that, a refused or
 * stalled connection, TLS failures and every other error are a CqlError, never with a password.
 */
import * as net from "net";
import * as tls from "tls";
import { CqlError } from "../shared/errors";
import { redact, safeMessage } from "../shared/redact";
import { CQL_PORT, CqlTarget, cqlError, cqlLabel } from "./client";
import { splitHostPort } from "../shared/address";
import { trusting } from "../shared/tls";

/** One node's native transport, with the TLS options of cqlTarget. */
export interface CqlNode {
  host: string;
  port: number;
  tls?: boolean;
  /** PEM of the CA (or certificate) to trust for TLS; the system's trusted CAs otherwise. */
  caCertificate?: string;
}

/**
 * The node a CqlTarget names (its host:port, TLS and CA). An address that check refuses
 * (CASSANDRA_ADDRESS at a refresh, which runs no check) is kept whole as the host: the login
 * fails to connect to it. The port is not checked here either: a connection fails on it.
 */
export function cqlNodeOf(target: Pick<CqlTarget, "hostPort" | "tls" | "caCertificate">): CqlNode {
  const { host, port } = splitHostPort(target.hostPort, { port: CQL_PORT }) ?? {
    host: target.hostPort,
    port: CQL_PORT,
  };
  return { host, port, tls: target.tls, caCertificate: target.caCertificate };
}

const OP = {
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  AUTHENTICATE: 0x03,
  QUERY: 0x07,
  RESULT: 0x08,
  AUTH_CHALLENGE: 0x0e,
  AUTH_RESPONSE: 0x0f,
  AUTH_SUCCESS: 0x10,
};
const FLAG = { TRACING: 0x02, CUSTOM_PAYLOAD: 0x04, WARNING: 0x08 };
/** Server error codes (native protocol spec, section 9). */
const BAD_CREDENTIALS = 0x0100;
const PROTOCOL_ERROR = 0x000a;
/** An invalid query: among others, a table this server does not have ("unconfigured table"). */
export const CQL_INVALID = 0x2200;
/** Consistency ONE: the node answers from its own replica (system tables are local). */
const CONSISTENCY_ONE = 0x0001;
/**
 * Unavailable, overloaded (Cassandra 5.0 also answers it to a second password change of a role
 * within 5 s), bootstrapping, write and read timeouts: may pass by themselves.
 */
const TRANSIENT_CODES = new Set([0x1000, 0x1001, 0x1002, 0x1100, 0x1200]);
/** A write timeout (one of them): the node may have applied the statement, so its outcome is unknown. */
const WRITE_TIMEOUT = 0x1100;
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
  header.writeInt16BE(0, 2); // stream 0: one request at a time (v3 and v4 both take 16 bits)
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

/** QUERY: [long string] the statement, [short] consistency ONE, [byte] no flags (no values, no paging). */
export function queryFrame(version: number, statement: string): Buffer {
  const text = Buffer.from(statement, "utf8");
  const head = Buffer.alloc(4);
  head.writeInt32BE(text.length, 0);
  const tail = Buffer.alloc(3);
  tail.writeUInt16BE(CONSISTENCY_ONE, 0);
  tail.writeUInt8(0, 2);
  return frame(version, OP.QUERY, Buffer.concat([head, text, tail]));
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

/** A column of a ROWS result: its name and its type's option id (0x0010 inet, 0x0009 int, ...). */
export interface CqlColumn {
  name: string;
  type: number;
}

/** A ROWS result: the columns, and each row's cells decoded (`decodeCell`), null for a null cell. */
export interface CqlRows {
  columns: CqlColumn[];
  rows: unknown[][];
}

/** Option ids of the types `decodeCell` turns into JavaScript values. */
const TYPE = {
  ASCII: 0x0001,
  BIGINT: 0x0002,
  BOOLEAN: 0x0004,
  INT: 0x0009,
  TEXT: 0x000a,
  VARCHAR: 0x000d,
  INET: 0x0010,
};
const RESULT_KIND = { VOID: 0x0001, ROWS: 0x0002 };
const ROWS_FLAG = { GLOBAL_TABLES_SPEC: 0x0001, HAS_MORE_PAGES: 0x0002, NO_METADATA: 0x0004 };

/** A reader over a frame body that throws OutOfProtocol when the body ends before what it reads. */
class BodyReader {
  private at = 0;
  constructor(private readonly body: Buffer) {}
  private need(n: number): number {
    if (n < 0 || this.at + n > this.body.length) throw new OutOfProtocol("the node's ROWS result is cut short");
    const start = this.at;
    this.at += n;
    return start;
  }
  int(): number {
    return this.body.readInt32BE(this.need(4));
  }
  short(): number {
    return this.body.readUInt16BE(this.need(2));
  }
  string(): string {
    const n = this.short();
    const start = this.need(n);
    return this.body.subarray(start, start + n).toString("utf8");
  }
  /** [bytes]: an int length, then the bytes; a negative length is null. */
  bytes(): Buffer | null {
    const n = this.int();
    if (n < 0) return null;
    const start = this.need(n);
    return this.body.subarray(start, start + n);
  }
  /** A type [option]: its id, and what follows for a collection, a UDT, a tuple or a custom type. */
  option(): number {
    const id = this.short();
    switch (id) {
      case 0x0000: // custom: the class name
        this.string();
        break;
      case 0x0020: // list
      case 0x0022: // set
        this.option();
        break;
      case 0x0021: // map
        this.option();
        this.option();
        break;
      case 0x0030: {
        // UDT: keyspace, name, then each field's name and type
        this.string();
        this.string();
        for (let n = this.short(), i = 0; i < n; i++) {
          this.string();
          this.option();
        }
        break;
      }
      case 0x0031: // tuple: each element's type
        for (let n = this.short(), i = 0; i < n; i++) this.option();
        break;
    }
    return id;
  }
}

/** An inet cell's address: 4 bytes IPv4 (dotted), 16 bytes IPv6 (RFC 5952: the longest run of zeros as ::). */
export function inetAddress(b: Buffer): string {
  if (b.length === 4) return [...b].join(".");
  if (b.length !== 16) throw new OutOfProtocol(`an inet cell of ${b.length} bytes`);
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  if (groups.slice(0, 6).every((g, i) => (i === 5 ? g === 0xffff : g === 0))) {
    return `::ffff:${[...b.subarray(12)].join(".")}`; // IPv4-mapped
  }
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`;
}

/** A cell as a JavaScript value: inet a string, int a number, bigint a bigint, text a string; others the bytes. */
export function decodeCell(type: number, b: Buffer | null): unknown {
  if (b === null) return null;
  switch (type) {
    case TYPE.INET:
      return inetAddress(b);
    case TYPE.INT:
      if (b.length !== 4) throw new OutOfProtocol(`an int cell of ${b.length} bytes`);
      return b.readInt32BE(0);
    case TYPE.BIGINT:
      if (b.length !== 8) throw new OutOfProtocol(`a bigint cell of ${b.length} bytes`);
      return b.readBigInt64BE(0);
    case TYPE.BOOLEAN:
      return b.length > 0 && b[0] !== 0;
    case TYPE.ASCII:
    case TYPE.TEXT:
    case TYPE.VARCHAR:
      return b.toString("utf8");
    default:
      return Buffer.from(b);
  }
}

/**
 * A RESULT frame's body (v3, v4): for kind ROWS the metadata (flags, column count, the paging
 * state when there are more pages, the global table spec or each column's, each column's name and
 * type) and the rows; any other kind (a statement without rows) is no rows. A result without
 * metadata (which only a request that asks for none gets) has unnamed columns of unknown type.
 */
export function parseResult(body: Buffer): CqlRows {
  const r = new BodyReader(body);
  const kind = r.int();
  if (kind !== RESULT_KIND.ROWS) return { columns: [], rows: [] };
  const flags = r.int();
  const count = r.int();
  if (count < 0 || count > 4096) throw new OutOfProtocol(`a ROWS result with ${count} columns`);
  if (flags & ROWS_FLAG.HAS_MORE_PAGES) r.bytes();
  const columns: CqlColumn[] = [];
  if (flags & ROWS_FLAG.NO_METADATA) {
    for (let i = 0; i < count; i++) columns.push({ name: "", type: -1 });
  } else {
    const global = (flags & ROWS_FLAG.GLOBAL_TABLES_SPEC) !== 0;
    if (global) {
      r.string();
      r.string();
    }
    for (let i = 0; i < count; i++) {
      if (!global) {
        r.string();
        r.string();
      }
      const name = r.string();
      columns.push({ name, type: r.option() });
    }
  }
  const n = r.int();
  if (n < 0) throw new OutOfProtocol(`a ROWS result with ${n} rows`);
  const rows: unknown[][] = [];
  for (let i = 0; i < n; i++) rows.push(columns.map((c) => decodeCell(c.type, r.bytes())));
  return { columns, rows };
}

/** Raised inside the exchange for a server answer that is neither success nor refusal. */
class ServerAnswer extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Where it came: the handshake, or a statement after it. */
    readonly phase: "login" | "query" = "login",
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

/** Raised when the node refused the credentials and statements were to follow. */
class Refused extends Error {}

/** An error as a socket's: a code the CqlError mapping (cqlError) reads. */
const socketError = (message: string, code: string) => Object.assign(new Error(message), { code });

/**
 * One connection to one node, requests one at a time on stream 0: each `ask` sends a frame
 * and waits, until its deadline, for the next answer. The first failure (the socket's error or
 * close, a deadline, an answer outside the protocol) ends the connection, and every ask after it
 * rejects with that failure.
 */
class Connection {
  private pending = Buffer.alloc(0);
  private waiter?: { resolve: (f: Frame) => void; reject: (err: unknown) => void; timer: NodeJS.Timeout };
  private failure?: unknown;

  constructor(
    private readonly socket: net.Socket,
    readonly version: number,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.once("error", (err) => this.fail(err));
    socket.once("close", () => this.fail(socketError("connection closed before an answer", "ECONNRESET")));
  }

  /** Sends `request` (nothing: waits for the answer to what the connect sends) and waits for the answer. */
  ask(request: Buffer | undefined, deadline: number): Promise<Frame> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(socketError("timed out waiting for the node's answer", "ETIMEDOUT")),
        Math.max(0, deadline - Date.now()),
      );
      this.waiter = { resolve, reject, timer };
      if (request) this.socket.write(request);
    });
  }

  /** Whether the connection still stands: no failure, not closed. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Whether the socket holds the process open (an idle connection kept for later does not). */
  hold(on: boolean): void {
    if (on) this.socket.ref();
    else this.socket.unref();
  }

  /** Ends the connection; an ask after it rejects. */
  close(): void {
    this.fail(socketError("connection closed", "ECONNRESET"));
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.socket.destroy();
    const w = this.waiter;
    this.waiter = undefined;
    if (w) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    try {
      while (this.failure === undefined && this.pending.length > 0) {
        // every answer's first byte has the response bit: known before the header is whole
        if ((this.pending[0] & 0x80) === 0) return this.fail(notCql(this.pending[0]));
        if (this.pending.length < 9) return;
        const length = this.pending.readInt32BE(5);
        if (length < 0 || length > MAX_BODY) return this.fail(notCql(this.pending[0]));
        if (this.pending.length < 9 + length) return;
        const f = {
          version: this.pending[0] & 0x7f,
          opcode: this.pending[4],
          body: payload(this.pending[1], this.pending.subarray(9, 9 + length)),
        };
        this.pending = this.pending.subarray(9 + length);
        const w = this.waiter;
        if (!w) return this.fail(new OutOfProtocol("an answer to no request"));
        this.waiter = undefined;
        clearTimeout(w.timer);
        w.resolve(f);
      }
    } catch (err) {
      this.fail(err instanceof OutOfProtocol ? err : notCql(this.pending[0]));
    }
  }
}

/**
 * Connects to `node` and logs in at `version`: the connection, logged in, or undefined when the
 * node refused the credentials. Rejects with the socket's error, a ServerAnswer or OutOfProtocol
 * (the connection closed).
 */
async function connect(
  node: CqlNode,
  version: number,
  username: string,
  password: string,
  deadline: number,
): Promise<Connection | undefined> {
  const options = { host: node.host, port: node.port, noDelay: true };
  const socket: net.Socket = node.tls
    ? tls.connect({
        ...options,
        rejectUnauthorized: true,
        ...trusting(node.caCertificate),
        ...(net.isIP(node.host) ? {} : { servername: node.host }),
      })
    : net.connect(options);
  const conn = new Connection(socket, version);
  socket.once(node.tls ? "secureConnect" : "connect", () => socket.write(startup(version)));
  try {
    let f = await conn.ask(undefined, deadline);
    for (;;) {
      switch (f.opcode) {
        case OP.AUTHENTICATE:
          f = await conn.ask(authResponse(version, username, password), deadline);
          continue;
        case OP.READY: // a node without authentication: every password logs in
        case OP.AUTH_SUCCESS:
          return conn;
        case OP.ERROR: {
          const { code, message } = errorOf(f.body);
          if (code === BAD_CREDENTIALS && !COULD_NOT_READ.test(message)) {
            conn.close();
            return undefined;
          }
          throw new ServerAnswer(code, message);
        }
        case OP.AUTH_CHALLENGE:
          throw new OutOfProtocol(
            "the node asks for another SASL round: its authenticator is not PasswordAuthenticator's PLAIN",
          );
        default:
          throw new OutOfProtocol(`unexpected answer (opcode ${f.opcode}) to the handshake`);
      }
    }
  } catch (err) {
    conn.close();
    throw err;
  }
}

/** One statement on a logged-in connection: its rows; a ServerAnswer (phase query) for the node's error. */
async function query(conn: Connection, statement: string, deadline: number): Promise<CqlRows> {
  const f = await conn.ask(queryFrame(conn.version, statement), deadline);
  if (f.opcode === OP.RESULT) {
    try {
      return parseResult(f.body);
    } catch (err) {
      conn.close();
      throw err instanceof OutOfProtocol ? err : notCql(0);
    }
  }
  if (f.opcode === OP.ERROR) {
    const { code, message } = errorOf(f.body);
    throw new ServerAnswer(code, message, "query");
  }
  conn.close();
  throw new OutOfProtocol(`unexpected answer (opcode ${f.opcode}) to a query`);
}

/** What one connection ends with: the login's answer, and the first answered statement's rows. */
interface Answer {
  loggedIn: boolean;
  /** With statements: which one answered (its index) and its rows. */
  result?: { statement: number; rows: CqlRows };
}

/**
 * One connection: the login at `version`, then (with `statements`, once logged in) each
 * statement in turn until one answers with a result (one the server finds invalid, such as a table
 * it does not have, passes to the next), then close. Resolves with the login's answer and that
 * result; rejects with the socket's error, a ServerAnswer, OutOfProtocol, or Refused (a refused
 * login when statements were to run).
 */
async function exchange(
  node: CqlNode,
  version: number,
  username: string,
  password: string,
  deadline: number,
  statements: readonly string[] = [],
): Promise<Answer> {
  const conn = await connect(node, version, username, password, deadline);
  if (!conn) {
    if (statements.length) throw new Refused();
    return { loggedIn: false };
  }
  try {
    for (let i = 0; i < statements.length; i++) {
      try {
        return { loggedIn: true, result: { statement: i, rows: await query(conn, statements[i], deadline) } };
      } catch (err) {
        if (!(err instanceof ServerAnswer && err.code === CQL_INVALID && i + 1 < statements.length)) throw err;
      }
    }
    return { loggedIn: true };
  } finally {
    conn.close();
  }
}

/**
 * One connection's `attempt` (its login, and what follows), at protocol v4 or, when the node
 * refuses it, v3; every failure of the login turned into a CqlError without `password`: a refused
 * one (Refused) UNAUTHENTICATED, a node that could not check it a transient 256, the node's other
 * answers with their code, the socket's failures as cqlError maps them.
 */
async function withNode<T>(
  node: CqlNode,
  username: string,
  password: string,
  timeoutMs: number,
  attempt: (version: number, deadline: number) => Promise<T>,
): Promise<T> {
  const label = cqlLabel({ hostPort: `${node.host}:${node.port}` }, username);
  const deadline = Date.now() + timeoutMs;
  let version = 4;
  for (;;) {
    try {
      return await attempt(version, deadline);
    } catch (err) {
      if (err instanceof Refused) {
        throw new CqlError(`authentication failed as ${username}`, {
          operation: "login",
          target: label,
          serverCode: "UNAUTHENTICATED",
        });
      }
      if (err instanceof ServerAnswer) {
        // a node older than protocol v4 answers a protocol error naming the versions it speaks
        if (
          err.phase === "login" &&
          err.code === PROTOCOL_ERROR &&
          version === 4 &&
          /protocol version/i.test(err.message)
        ) {
          version = 3;
          continue;
        }
        const couldNotRead = err.phase === "login" && err.code === BAD_CREDENTIALS;
        const text = redact(safeMessage(err, [password]), [password]);
        throw new CqlError(`${couldNotRead ? "the node could not check the credentials: " : ""}${text}`, {
          operation: err.phase,
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
  return (
    await withNode(node, username, password, timeoutMs, (version, deadline) =>
      exchange(node, version, username, password, deadline),
    )
  ).loggedIn;
}

/**
 * Logs in on this node as `username` (as cqlNodeLogin does), then runs `statements` in turn,
 * consistency ONE, until one answers: the first the server does not find invalid (a table it
 * does not have: the next is a fallback). Resolves with that statement's index and its rows.
 * Throws a CqlError: UNAUTHENTICATED for refused credentials; the server's code (and `query` as
 * the operation) for a statement it refuses, the last one's when every one is invalid; as
 * cqlNodeLogin for everything else. One connection, closed before this returns.
 */
export async function cqlNodeQuery(
  node: CqlNode,
  username: string,
  password: string,
  statements: readonly string[],
  timeoutMs: number,
): Promise<{ statement: number; rows: CqlRows }> {
  if (statements.length === 0) throw new Error("cqlNodeQuery needs a statement");
  const answer = await withNode(node, username, password, timeoutMs, (version, deadline) =>
    exchange(node, version, username, password, deadline, statements),
  );
  return answer.result!;
}

/** A connection logged in on one node that runs statements until closed (cqlNodeSession). */
export interface CqlNodeSession {
  /**
   * Runs `statement` (no values, consistency ONE, no paging): its rows. Throws a CqlError, never
   * with the session's password or `secrets`: the node's answer with its code (transient for
   * one that may pass by itself, ambiguous for a write timeout), a lost connection as cqlError
   * maps it (ambiguous when the statement writes: it may have been applied). A failure other
   * than the node's answer ends the session.
   */
  execute(statement: string, secrets?: readonly string[]): Promise<CqlRows>;
  close(): void;
  /** Whether the connection still stands (a failure or the node closing it ends it). */
  readonly open: boolean;
  /** Idle (true): the connection holds the process open no longer; false when used again. */
  idle(on: boolean): void;
}

/**
 * Logs in on this node as `username` (as cqlNodeLogin does; a refused login throws a CqlError
 * UNAUTHENTICATED) and keeps the connection for statements: what runs the statements of a
 * CassandraRolePassword operation (provider/cql/client.ts's openCqlSession). `target` names the
 * node in statements' errors. Each statement waits `timeoutMs` for its answer.
 */
export async function cqlNodeSession(
  node: CqlNode,
  username: string,
  password: string,
  timeoutMs: number,
  target: string,
): Promise<CqlNodeSession> {
  const conn = await withNode(node, username, password, timeoutMs, async (version, deadline) => {
    const logged = await connect(node, version, username, password, deadline);
    if (!logged) throw new Refused();
    return logged;
  });
  return {
    close: () => conn.close(),
    get open() {
      return conn.alive;
    },
    idle: (on) => conn.hold(!on),
    execute: async (statement, secrets = []) => {
      const operation = statement.trim().split(/\s+/).slice(0, 2).join(" ");
      const mutating = !/^\s*(SELECT|LIST)\b/i.test(statement);
      const hidden = [password, ...secrets];
      try {
        return await query(conn, statement, Date.now() + timeoutMs);
      } catch (err) {
        if (err instanceof ServerAnswer) {
          throw new CqlError(redact(safeMessage(err, hidden), hidden), {
            operation,
            target,
            serverCode: String(err.code),
            transient: TRANSIENT_CODES.has(err.code),
            ambiguous: mutating && err.code === WRITE_TIMEOUT,
          });
        }
        conn.close();
        if (err instanceof OutOfProtocol) {
          throw new CqlError(err.message, { operation, target, serverCode: "PROTOCOL", ambiguous: mutating });
        }
        throw cqlError(err, operation, target, hidden, mutating);
      }
    },
  };
}
