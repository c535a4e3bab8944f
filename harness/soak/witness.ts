/**
 * The soak's witnesses: clients that share no code with the provider's, to ask each database
 * what it holds.
 *
 * - Milvus: pymilvus (harness/soak/pymilvus_soak.py), every login of a check in one process.
 * - Cassandra logins: the CQL native protocol (v4) written out here, STARTUP then the
 *   PasswordAuthenticator's SASL PLAIN token, on a fresh connection each time; Cassandra's
 *   grants: the tables of system_auth, read with the DataStax driver as the superuser.
 * - Redis: `AUTH <password>` in RESP on a fresh connection.
 *
 * Each login answers true (accepted), false (refused) or throws (the server could not be asked),
 * so that a database that is down never reads as a refused password.
 */
import { execFile } from "child_process";
import * as net from "net";
import * as path from "path";
import { milvusVenv } from "../tools";
import { secretForms } from "../../provider/shared/redact";

/** Removes every form of every secret from `text` (for messages about a failed check). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) for (const form of secretForms(s)) out = out.split(form).join("[secret]");
  return out;
}

/** A TCP exchange: connects, writes `request`, and feeds what arrives to `answer` until it decides. */
function exchange<T>(
  address: string,
  request: Buffer,
  answer: (received: Buffer) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  const [host, port] = splitHostPort(address);
  return new Promise<T>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const socket = net.connect({ host, port });
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`${address}: no answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        const result = answer(received);
        if (result !== undefined) done(() => resolve(result));
      } catch (err) {
        done(() => reject(err));
      }
    });
    socket.on("error", (err) => done(() => reject(new Error(`${address}: ${err.message}`))));
    socket.on("close", () => done(() => reject(new Error(`${address}: closed before answering`))));
  });
}

function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

// ---- Cassandra: the CQL native protocol, version 4

const CQL_V4 = 0x04;
const OP = { ERROR: 0x00, STARTUP: 0x01, READY: 0x02, AUTHENTICATE: 0x03, AUTH_RESPONSE: 0x0f, AUTH_SUCCESS: 0x10 };
const BAD_CREDENTIALS = 0x0100;

function cqlFrame(stream: number, opcode: number, body: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUInt8(CQL_V4, 0);
  header.writeUInt8(0, 1);
  header.writeInt16BE(stream, 2);
  header.writeUInt8(opcode, 4);
  header.writeInt32BE(body.length, 5);
  return Buffer.concat([header, body]);
}

function cqlString(s: string): Buffer {
  const bytes = Buffer.from(s, "utf8");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** The frames in `buf` (complete ones only), each with its opcode and body. */
function cqlFrames(buf: Buffer): Array<{ opcode: number; body: Buffer }> {
  const frames: Array<{ opcode: number; body: Buffer }> = [];
  let at = 0;
  while (buf.length - at >= 9) {
    const length = buf.readInt32BE(at + 5);
    if (buf.length - at < 9 + length) break;
    frames.push({ opcode: buf.readUInt8(at + 4), body: buf.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return frames;
}

/**
 * Whether `user` logs in with `password` over CQL at `address`: STARTUP, then AUTH_RESPONSE
 * with the SASL PLAIN token, sent together (the server answers in order). True on
 * AUTH_SUCCESS, false on a "bad credentials" error; any other answer throws.
 */
export async function cqlLogin(address: string, user: string, password: string, timeoutMs = 5000): Promise<boolean> {
  const startup = Buffer.concat([Buffer.from([0, 1]), cqlString("CQL_VERSION"), cqlString("3.0.0")]);
  const token = Buffer.from(`\0${user}\0${password}`, "utf8");
  const tokenLen = Buffer.alloc(4);
  tokenLen.writeInt32BE(token.length);
  const request = cqlFrame(0, OP.STARTUP, startup);
  const auth = cqlFrame(1, OP.AUTH_RESPONSE, Buffer.concat([tokenLen, token]));
  let sentAuth = false;
  return new Promise<boolean>((resolve, reject) => {
    const [host, port] = splitHostPort(address);
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    let seen = 0;
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`CQL ${address}: no answer in ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const frames = cqlFrames(received);
      for (const f of frames.slice(seen)) {
        seen++;
        if (f.opcode === OP.AUTHENTICATE && !sentAuth) {
          sentAuth = true;
          socket.write(auth);
        } else if (f.opcode === OP.AUTH_SUCCESS) {
          return done(() => resolve(true));
        } else if (f.opcode === OP.READY) {
          return done(() => reject(new Error(`CQL ${address}: the server asks for no password`)));
        } else if (f.opcode === OP.ERROR) {
          const code = f.body.readInt32BE(0);
          if (code === BAD_CREDENTIALS) return done(() => resolve(false));
          const message = f.body.subarray(6, 6 + f.body.readUInt16BE(4)).toString("utf8");
          return done(() =>
            reject(new Error(`CQL ${address}: error 0x${code.toString(16)}: ${scrub(message, [password])}`)),
          );
        }
      }
    });
    socket.on("error", (err) => done(() => reject(new Error(`CQL ${address}: ${err.message}`))));
    socket.on("close", () => done(() => reject(new Error(`CQL ${address}: closed before answering`))));
  });
}

// ---- Redis: RESP

/** Whether Redis at `address` takes `password` (`AUTH` answered +OK); refused: false; any other answer throws. */
export async function redisAuth(address: string, password: string, timeoutMs = 5000): Promise<boolean> {
  const bytes = Buffer.from(password, "utf8");
  const request = Buffer.concat([Buffer.from(`*2\r\n$4\r\nAUTH\r\n$${bytes.length}\r\n`), bytes, Buffer.from("\r\n")]);
  return exchange(
    address,
    request,
    (received) => {
      const end = received.indexOf("\r\n");
      if (end < 0) return undefined;
      const line = received.subarray(0, end).toString("utf8");
      if (line === "+OK") return true;
      if (/^-(WRONGPASS|ERR invalid password)/.test(line)) return false;
      throw new Error(`redis ${address}: ${scrub(line, [password])}`);
    },
    timeoutMs,
  );
}

// ---- Milvus: pymilvus

export interface MilvusWitness {
  /** One answer per login asked: true, false, or the error that kept pymilvus from asking. */
  logins: Array<boolean | Error>;
  /** Each named user's roles. */
  userRoles: Record<string, string[]>;
  /** Each role's grants (admin and public left out). */
  grants: Record<string, string[]>;
}

/** Asks pymilvus, as root, about `logins` (each tried once, on its own connection) and `users`' roles. */
export function pymilvusWitness(
  address: string,
  root: [string, string],
  logins: Array<[string, string]>,
  users: string[],
): Promise<MilvusWitness> {
  const python = path.join(milvusVenv(), "bin", "python");
  const secrets = [root[1], ...logins.map(([, pw]) => pw)];
  return new Promise((resolve, reject) => {
    const child = execFile(
      python,
      [path.join(__dirname, "pymilvus_soak.py")],
      { timeout: 120000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const last = stdout.trim().split("\n").pop() ?? "";
        let parsed: any;
        try {
          parsed = JSON.parse(last);
        } catch {
          parsed = undefined;
        }
        if (err || !parsed || parsed.error) {
          return reject(new Error(`pymilvus witness failed: ${scrub(`${parsed?.error ?? last}\n${stderr}`, secrets)}`));
        }
        resolve({
          logins: parsed.logins.map((l: { ok: boolean; error: string | null }) =>
            l.error ? new Error(l.error) : l.ok,
          ),
          userRoles: parsed.userRoles,
          grants: parsed.grants,
        });
      },
    );
    child.stdin!.end(JSON.stringify({ address, root, logins, users }) + "\n");
  });
}

// ---- Cassandra: roles and permissions, from system_auth

export interface CassandraAuth {
  /** role -> "login=<bool> superuser=<bool> member_of=<sorted roles>" */
  roles: Record<string, string>;
  /** role -> sorted "resource:PERMISSION" */
  permissions: Record<string, string[]>;
}

/** What system_auth says of `roles` (their flags, memberships and direct permissions), read as `admin`. */
export async function cassandraAuth(
  address: string,
  admin: { username: string; password: string },
  roles: string[],
): Promise<CassandraAuth> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
  const [host, port] = splitHostPort(address);
  const client = new cassandra.Client({
    contactPoints: [host],
    protocolOptions: { port },
    localDataCenter: "datacenter1",
    authProvider: new cassandra.auth.PlainTextAuthProvider(admin.username, admin.password),
    socketOptions: { connectTimeout: 10000, readTimeout: 10000 },
    pooling: { warmup: false },
  });
  try {
    const out: CassandraAuth = { roles: {}, permissions: {} };
    const wanted = new Set(roles);
    for (const row of (await client.execute("SELECT role, can_login, is_superuser, member_of FROM system_auth.roles"))
      .rows) {
      if (!wanted.has(row.role)) continue;
      const members = [...(row.member_of ?? [])].sort().join(",");
      out.roles[row.role] = `login=${row.can_login} superuser=${row.is_superuser} member_of=${members}`;
    }
    for (const row of (await client.execute("SELECT role, resource, permissions FROM system_auth.role_permissions"))
      .rows) {
      if (!wanted.has(row.role)) continue;
      for (const p of row.permissions ?? []) (out.permissions[row.role] ??= []).push(`${row.resource}:${p}`);
    }
    for (const r of Object.keys(out.permissions)) out.permissions[r].sort();
    return out;
  } catch (err) {
    throw new Error(`reading system_auth failed: ${scrub((err as Error).message, [admin.password])}`, { cause: err });
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
