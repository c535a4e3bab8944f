/**
 * Scripted CQL servers on loopback, for what a real node does not show on demand: frames a
 * script writes as it likes (native protocol v3/v4 framing, the body built from the
 * notations below), every request frame seen, and whether the client closed each connection.
 * Used by test/servers/cql-login.test.ts and test/servers/cql-nodes.test.ts.
 */
import * as net from "net";

/** A request frame: protocol version, opcode, body. */
export interface CqlRequest {
  version: number;
  opcode: number;
  body: Buffer;
}

export interface Seen {
  /** Every request frame, in the order they arrived (all connections). */
  frames: CqlRequest[];
  /** Whether the client closed each connection, in the order they were accepted. */
  closed: boolean[];
}

/** What a server answers a request with: writes to `socket`; `connection` counts from 0. */
export type Script = (req: CqlRequest, socket: net.Socket, connection: number) => void;

export interface ScriptedServer {
  port: number;
  seen: Seen;
  close(): Promise<void>;
}

/** A response frame: stream 0, `flags` (0x08 warnings, ...). */
export function response(version: number, opcode: number, body: Buffer, flags = 0): Buffer {
  const h = Buffer.alloc(9);
  h.writeUInt8(0x80 | version, 0);
  h.writeUInt8(flags, 1);
  h.writeInt16BE(0, 2);
  h.writeUInt8(opcode, 4);
  h.writeInt32BE(body.length, 5);
  return Buffer.concat([h, body]);
}

/** [short] */
export const short = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
};
/** [int] */
export const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
};
/** [string]: a [short] length, then UTF-8. */
export const str = (t: string): Buffer => Buffer.concat([short(Buffer.byteLength(t)), Buffer.from(t, "utf8")]);
/** [bytes]: an [int] length, then the bytes; null as length -1. */
export const bytes = (b: Buffer | null): Buffer => (b === null ? int(-1) : Buffer.concat([int(b.length), b]));
/** An ERROR body: the code, then the message. */
export const error = (code: number, message: string): Buffer => Buffer.concat([int(code), str(message)]);
/** An AUTHENTICATE body naming Cassandra's PasswordAuthenticator. */
export const AUTHENTICATOR = str("org.apache.cassandra.auth.PasswordAuthenticator");

/** A RESULT of kind ROWS: columns as [name, type option], rows of cells; the global table spec unless `perColumn`. */
export function rows(
  columns: Array<[string, Buffer]>,
  data: Array<Array<Buffer | null>>,
  o: { perColumn?: boolean; paging?: Buffer; noMetadata?: boolean; table?: string } = {},
): Buffer {
  const flags = (o.perColumn || o.noMetadata ? 0 : 0x0001) | (o.paging ? 0x0002 : 0) | (o.noMetadata ? 0x0004 : 0);
  const meta: Buffer[] = [int(flags), int(columns.length)];
  if (o.paging) meta.push(bytes(o.paging));
  if (!o.noMetadata) {
    if (!o.perColumn) meta.push(str("system"), str(o.table ?? "peers_v2"));
    for (const [name, type] of columns) {
      if (o.perColumn) meta.push(str("system"), str("peers"));
      meta.push(str(name), type);
    }
  }
  const body = [int(0x0002), ...meta, int(data.length), ...data.flatMap((r) => r.map(bytes))];
  return Buffer.concat(body);
}

/** The statement of a QUERY frame's body. */
export const statementOf = (body: Buffer) => body.subarray(4, 4 + body.readInt32BE(0)).toString("utf8");

/**
 * A node with PasswordAuthenticator that takes `accepts(user, password)` and answers QUERY with
 * `answer(statement)` (a RESULT body, or an ERROR as [code, message]).
 */
export function passwordNode(
  accepts: (user: string, password: string) => boolean,
  answer: (statement: string) => Buffer | [number, string] = () => rows([], []),
): Script {
  return (req, socket) => {
    if (req.opcode === 0x01) socket.write(response(req.version, 0x03, AUTHENTICATOR));
    if (req.opcode === 0x0f) {
      const token = req.body.subarray(4, 4 + req.body.readInt32BE(0)).toString("utf8");
      const [, user, password] = token.split("\0");
      socket.write(
        accepts(user, password)
          ? response(req.version, 0x10, bytes(Buffer.alloc(0)))
          : response(req.version, 0x00, error(0x0100, `Provided username ${user} and/or password are incorrect`)),
      );
    }
    if (req.opcode === 0x07) {
      const a = answer(statementOf(req.body));
      socket.write(Array.isArray(a) ? response(req.version, 0x00, error(a[0], a[1])) : response(req.version, 0x08, a));
    }
  };
}

/** Listens on 127.0.0.1 (a free port) and hands each whole request frame to `script`. */
export async function serve(script: Script): Promise<ScriptedServer> {
  const seen: Seen = { frames: [], closed: [] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const connection = seen.closed.push(false) - 1;
    socket.on("close", () => ((seen.closed[connection] = true), sockets.delete(socket)));
    socket.on("error", () => undefined);
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 9 && pending.length >= 9 + pending.readInt32BE(5)) {
        const size = 9 + pending.readInt32BE(5);
        const req = { version: pending[0], opcode: pending[4], body: Buffer.from(pending.subarray(9, size)) };
        pending = pending.subarray(size);
        seen.frames.push(req);
        script(req, socket, connection);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}
