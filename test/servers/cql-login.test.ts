/**
 * provider/cql/login.ts against scripted CQL servers on loopback, for what a real node does not
 * show on demand: the exact frames a login sends (STARTUP, then AUTH_RESPONSE with the SASL
 * PLAIN token), the answers that are neither success nor refusal (a node that could not read
 * the role, overload, a SASL challenge, a server without authentication, protocol v3 only,
 * garbage, a closed or a silent connection), and that the connection is closed afterwards;
 * the statements' session (openCqlSession): one connection and login for an operation's
 * statements, what each failure means for the next. No error ever holds a password.
 */
import * as assert from "assert";
import * as util from "util";
import { cqlNodeLogin, cqlNodeOf } from "../../provider/cql/login";
import { CqlError } from "../../provider/shared/errors";
import {
  AUTHENTICATOR,
  Script,
  bytes,
  error,
  int,
  response,
  rows,
  serve,
  short,
  statementOf,
  str,
} from "../helpers/cql-server";
import { IDLE_SESSIONS, closeIdleSessions, cqlTarget, openCqlSession } from "../../provider/cql/client";

const PASSWORD = "Pässwörd-Login-1'\"";

/** A PasswordAuthenticator that knows one role, `app` with PASSWORD. */
const passwordAuthenticator: Script = (req, socket) => {
  if (req.opcode === 0x01) socket.write(response(req.version, 0x03, AUTHENTICATOR));
  if (req.opcode === 0x0f) {
    const token = req.body.subarray(4, 4 + req.body.readInt32BE(0));
    const ok = token.equals(Buffer.from(`\0app\0${PASSWORD}`, "utf8"));
    socket.write(
      ok
        ? response(req.version, 0x10, bytes(Buffer.alloc(0)))
        : response(req.version, 0x00, error(0x0100, "Provided username app and/or password are incorrect")),
    );
  }
};

/** The CqlError a login threw, checked to hold no form of the password. */
async function failure(port: number, password = PASSWORD, timeoutMs = 5000): Promise<CqlError> {
  const err = await cqlNodeLogin({ host: "127.0.0.1", port }, "app", password, timeoutMs).then(
    (v) => assert.fail(`expected a CqlError, the login answered ${v}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CqlError, `not a CqlError: ${err}`);
  for (const text of [err.message, util.inspect(err), JSON.stringify(err), String(err.stack)])
    assert.ok(!text.includes(password), `the password shows in: ${text}`);
  assert.strictEqual(err.operation, "login");
  assert.strictEqual(err.target, `cql 127.0.0.1:${port} role app`);
  return err;
}

describe("cqlNodeLogin against scripted CQL servers", () => {
  it("sends STARTUP (v4, CQL_VERSION 3.0.0), then AUTH_RESPONSE with \\0user\\0password in UTF-8, and nothing else; logs in, refuses a wrong password, closes each connection", async () => {
    const s = await serve(passwordAuthenticator);
    try {
      assert.strictEqual(await cqlNodeLogin({ host: "127.0.0.1", port: s.port }, "app", PASSWORD, 5000), true);
      assert.deepStrictEqual(
        s.seen.frames.map((f) => [f.version, f.opcode]),
        [
          [4, 0x01],
          [4, 0x0f],
        ],
      );
      const startup = s.seen.frames[0].body;
      assert.strictEqual(startup.readUInt16BE(0), 1);
      assert.ok(startup.includes(Buffer.from("CQL_VERSION")) && startup.includes(Buffer.from("3.0.0")));
      const auth = s.seen.frames[1].body;
      assert.deepStrictEqual(auth.subarray(4), Buffer.from(`\0app\0${PASSWORD}`, "utf8"));
      assert.strictEqual(await cqlNodeLogin({ host: "127.0.0.1", port: s.port }, "app", "Other-Pw-2", 5000), false);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepStrictEqual(s.seen.closed, [true, true]);
    } finally {
      await s.close();
    }
  });

  it("throws a transient CqlError for Cassandra's 0x0100 'Unable to perform authentication' (the node could not read the role), not a refusal", async () => {
    const s = await serve((req, socket) => {
      if (req.opcode === 0x01) socket.write(response(4, 0x03, AUTHENTICATOR));
      if (req.opcode === 0x0f)
        socket.write(
          response(
            4,
            0x00,
            error(0x0100, "Unable to perform authentication: Cannot achieve consistency level LOCAL_QUORUM"),
          ),
        );
    });
    try {
      const err = await failure(s.port);
      assert.strictEqual(err.serverCode, "256");
      assert.strictEqual(err.transient, true);
      assert.match(err.message, /could not check the credentials: Unable to perform authentication/);
    } finally {
      await s.close();
    }
  });

  it("throws a transient CqlError for an overloaded node (0x1001) and a permanent one for a server error (0x0000)", async () => {
    for (const [code, transient] of [
      [0x1001, true],
      [0x0000, false],
    ] as const) {
      const s = await serve((req, socket) => socket.write(response(4, 0x00, error(code, "busy or broken"))));
      try {
        const err = await failure(s.port);
        assert.strictEqual(err.serverCode, String(code));
        assert.strictEqual(err.transient, transient);
      } finally {
        await s.close();
      }
    }
  });

  it("speaks v3 to a server that refuses v4 with a protocol error, on a second connection", async () => {
    const s = await serve((req, socket, connection) => {
      if (req.version === 4)
        socket.write(
          response(
            3,
            0x00,
            error(0x000a, "Invalid or unsupported protocol version (4); supported versions are (3/v3)"),
          ),
        );
      else passwordAuthenticator(req, socket, connection);
    });
    try {
      assert.strictEqual(await cqlNodeLogin({ host: "127.0.0.1", port: s.port }, "app", PASSWORD, 5000), true);
      assert.deepStrictEqual(
        s.seen.frames.map((f) => [f.version, f.opcode]),
        [
          [4, 0x01],
          [3, 0x01],
          [3, 0x0f],
        ],
      );
      assert.strictEqual(s.seen.closed.length, 2);
    } finally {
      await s.close();
    }
  });

  it("reads past the warnings a server puts before an answer's body", async () => {
    const warnings = Buffer.concat([Buffer.from([0, 2]), str("first warning"), str("second")]);
    const s = await serve((req, socket) => {
      if (req.opcode === 0x01) socket.write(response(4, 0x03, Buffer.concat([warnings, AUTHENTICATOR]), 0x08));
      if (req.opcode === 0x0f)
        socket.write(
          response(
            4,
            0x00,
            Buffer.concat([warnings, error(0x0100, "Provided username app and/or password are incorrect")]),
            0x08,
          ),
        );
    });
    try {
      assert.strictEqual(await cqlNodeLogin({ host: "127.0.0.1", port: s.port }, "app", PASSWORD, 5000), false);
    } finally {
      await s.close();
    }
  });

  it("takes READY (a server without authentication) for logged in, and refuses to go on with a SASL challenge", async () => {
    const ready = await serve((req, socket) => socket.write(response(4, 0x02, Buffer.alloc(0))));
    const challenge = await serve((req, socket) => {
      if (req.opcode === 0x01) socket.write(response(4, 0x03, AUTHENTICATOR));
      if (req.opcode === 0x0f) socket.write(response(4, 0x0e, bytes(Buffer.from("more"))));
    });
    try {
      assert.strictEqual(await cqlNodeLogin({ host: "127.0.0.1", port: ready.port }, "app", PASSWORD, 5000), true);
      const err = await failure(challenge.port);
      assert.match(err.message, /another SASL round/);
      assert.strictEqual(err.serverCode, "PROTOCOL");
      assert.strictEqual(err.transient, false);
    } finally {
      await ready.close();
      await challenge.close();
    }
  });

  it("throws a PROTOCOL CqlError for an answer that is not CQL (saying so when it is TLS), and a transient CqlError for a connection closed before any answer", async () => {
    const http = await serve((req, socket) => socket.write("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const hangUp = await serve((req, socket) => socket.destroy());
    // a TLS server's alert record (21, TLS 1.2, length 2: fatal, unexpected_message)
    const alert = await serve((req, socket) => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a])));
    try {
      const notCql = await failure(http.port);
      assert.match(notCql.message, /not a CQL frame/);
      assert.strictEqual(notCql.serverCode, "PROTOCOL");
      const tlsAlert = await failure(alert.port);
      assert.match(tlsAlert.message, /answers with TLS \(check cql\.tls\)/);
      const closed = await failure(hangUp.port);
      assert.strictEqual(closed.serverCode, "CONNECTION_CLOSED");
      assert.strictEqual(closed.transient, true);
    } finally {
      await http.close();
      await hangUp.close();
      await alert.close();
    }
  });

  it("a closed port: a transient CqlError ECONNREFUSED", async () => {
    const s = await serve(() => undefined);
    const port = s.port;
    await s.close();
    const err = await failure(port);
    assert.strictEqual(err.serverCode, "ECONNREFUSED");
    assert.strictEqual(err.transient, true);
  });

  it("a node that accepts the connection and never answers: a transient CqlError TIMEOUT once timeoutMs has passed, the connection closed", async function () {
    const s = await serve(() => undefined);
    try {
      const started = Date.now();
      const err = await failure(s.port, PASSWORD, 800);
      assert.ok(Date.now() - started >= 750, "it waited for its timeout");
      assert.strictEqual(err.serverCode, "TIMEOUT");
      assert.strictEqual(err.transient, true);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepStrictEqual(s.seen.closed, [true]);
    } finally {
      await s.close();
    }
  });

  it("cqlNodeOf takes host, port, TLS and CA from a CqlTarget (IPv6 in brackets too)", () => {
    assert.deepStrictEqual(cqlNodeOf({ hostPort: "10.0.0.5:8635", tls: true, caCertificate: "PEM" }), {
      host: "10.0.0.5",
      port: 8635,
      tls: true,
      caCertificate: "PEM",
    });
    assert.deepStrictEqual(cqlNodeOf({ hostPort: "[::1]:9042", tls: false }), {
      host: "::1",
      port: 9042,
      tls: false,
      caCertificate: undefined,
    });
  });
});

describe("openCqlSession (cqlNodeSession): a CassandraRolePassword operation's statements on one connection", () => {
  const TEXT = short(0x000d);
  const BOOLEAN = short(0x0004);
  const NEW_PASSWORD = "New-Secret-Pw-9'";
  /** passwordAuthenticator, then `answer` for each QUERY (its statement). */
  const node =
    (answer: (statement: string, socket: import("net").Socket) => void): Script =>
    (req, socket, connection) => {
      if (req.opcode === 0x07) return answer(statementOf(req.body), socket);
      passwordAuthenticator(req, socket, connection);
    };
  const target = (port: number) => cqlTarget({ address: `127.0.0.1:${port}`, timeoutMs: 3000 });
  const su = { username: "app", password: PASSWORD };
  const noSecret = (err: unknown) => {
    for (const text of [String((err as Error).message), util.inspect(err)]) {
      assert.ok(!text.includes(PASSWORD) && !text.includes(NEW_PASSWORD), `a password shows in: ${text}`);
    }
  };

  it("one connection, one login: rows as records; the node's refusal of one statement (its code, no password) leaves the session for the next; close ends the connection", async () => {
    const s = await serve(
      node((statement, socket) => {
        if (statement.startsWith("LIST ROLES")) {
          const result = rows(
            [
              ["role", TEXT],
              ["login", BOOLEAN],
            ],
            [[Buffer.from("app_role"), Buffer.from([1])]],
            { table: "roles" },
          );
          return socket.write(response(4, 0x08, result));
        }
        if (statement.startsWith("ALTER ROLE")) {
          // a server echoing the statement, password and all
          return socket.write(response(4, 0x00, error(0x2200, `cannot run ${statement}`)));
        }
        socket.write(response(4, 0x08, int(0x0001))); // VOID
      }),
    );
    try {
      const session = await openCqlSession(target(s.port), su);
      assert.deepStrictEqual((await session.execute('LIST ROLES OF "app_role" NORECURSIVE')).rows, [
        { role: "app_role", login: true },
      ]);
      const refused = await session
        .execute(`ALTER ROLE "app_role" WITH PASSWORD = '${NEW_PASSWORD}'`, [NEW_PASSWORD])
        .then(
          () => assert.fail("the node refused it"),
          (e: unknown) => e as CqlError,
        );
      assert.ok(refused instanceof CqlError);
      assert.strictEqual(refused.serverCode, String(0x2200));
      assert.strictEqual(refused.operation, "ALTER ROLE");
      assert.strictEqual(refused.ambiguous, false);
      noSecret(refused);
      assert.deepStrictEqual((await session.execute('DROP ROLE IF EXISTS "app_role"')).rows, []);
      await session.close();
      await new Promise((r) => setTimeout(r, 100));
      assert.deepStrictEqual(
        s.seen.frames.map((f) => f.opcode),
        [0x01, 0x0f, 0x07, 0x07, 0x07],
      );
      assert.deepStrictEqual(s.seen.closed, [true], "one connection, closed");
    } finally {
      await s.close();
    }
  });

  it("a write timeout is transient and ambiguous; a connection lost after a write went out is ambiguous, after a read not; a statement after a lost connection fails at once", async () => {
    let drop = false;
    const s = await serve(
      node((statement, socket) => {
        if (drop) return socket.destroy();
        if (statement.startsWith("ALTER ROLE")) return socket.write(response(4, 0x00, error(0x1100, "write timeout")));
        socket.write(response(4, 0x08, int(0x0001)));
      }),
    );
    try {
      const session = await openCqlSession(target(s.port), su);
      const timedOut = await session
        .execute(`ALTER ROLE "r" WITH PASSWORD = '${NEW_PASSWORD}'`, [NEW_PASSWORD])
        .catch((e: CqlError) => e);
      assert.ok(timedOut instanceof CqlError);
      assert.deepStrictEqual([timedOut.transient, timedOut.ambiguous], [true, true]);
      drop = true;
      const lost = await session.execute('DROP ROLE IF EXISTS "r"').catch((e: CqlError) => e);
      assert.ok(lost instanceof CqlError, String(lost));
      assert.deepStrictEqual([lost.transient, lost.ambiguous, lost.serverCode], [true, true, "CONNECTION_CLOSED"]);
      const after = await session.execute('LIST ROLES OF "r"').catch((e: CqlError) => e);
      assert.ok(after instanceof CqlError);
      assert.strictEqual(after.ambiguous, false, "a read is never ambiguous");
      assert.strictEqual(
        s.seen.frames.filter((f) => f.opcode === 0x07).length,
        2,
        "nothing sent on the lost connection",
      );
      noSecret(timedOut);
      noSecret(lost);
      await session.close();
    } finally {
      await s.close();
    }
  });

  it("refused credentials: UNAUTHENTICATED naming the identity, no statement sent, the connection closed", async () => {
    const s = await serve(node(() => assert.fail("no statement")));
    try {
      const err = await openCqlSession(target(s.port), { username: "app", password: "Wrong-Pw-3" }).catch(
        (e: CqlError) => e,
      );
      assert.ok(err instanceof CqlError);
      assert.strictEqual(err.serverCode, "UNAUTHENTICATED");
      assert.match(err.message, /authentication failed as app: check the connection username\/password/);
      assert.ok(!util.inspect(err).includes("Wrong-Pw-3"));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepStrictEqual(s.seen.closed, [true]);
    } finally {
      await s.close();
    }
  });
});

describe("openCqlSession with reuse: the connection identity's idle sessions of a process", () => {
  const node: Script = (req, socket, connection) => {
    if (req.opcode === 0x07) return socket.write(response(4, 0x08, int(0x0001)));
    passwordAuthenticator(req, socket, connection);
  };
  const target = (port: number) => cqlTarget({ address: `127.0.0.1:${port}`, timeoutMs: 3000 });
  const su = { username: "app", password: PASSWORD };
  const logins = (s: { seen: { frames: Array<{ opcode: number }> } }) =>
    s.seen.frames.filter((f) => f.opcode === 0x0f).length;
  const saved = { ...IDLE_SESSIONS };
  afterEach(() => {
    closeIdleSessions();
    Object.assign(IDLE_SESSIONS, saved);
  });

  it("an operation after another reuses its connection (one login); two at once open two, and both are kept for the next", async () => {
    const s = await serve(node);
    try {
      const run = async () => {
        const session = await openCqlSession(target(s.port), su, { reuse: true });
        await session.execute('DROP ROLE IF EXISTS "r"');
        return session;
      };
      await (await run()).close();
      await (await run()).close();
      assert.strictEqual(logins(s), 1, "the second operation logged in on the first's connection");
      const [a, b] = await Promise.all([run(), run()]);
      assert.strictEqual(logins(s), 2, "two at once: a second connection");
      await Promise.all([a.close(), b.close()]);
      const [c, d] = await Promise.all([run(), run()]);
      await Promise.all([c.close(), d.close()]);
      assert.strictEqual(logins(s), 2, "both kept");
      assert.deepStrictEqual(s.seen.closed, [false, false], "kept open, idle");
      // without reuse (a role's own session, the harness's): a login of its own, closed after
      const own = await openCqlSession(target(s.port), su);
      await own.close();
      assert.strictEqual(logins(s), 3);
    } finally {
      await s.close();
    }
  });

  it("a connection the node closed, or one idle longer than idleMs, is not reused; another identity gets its own", async () => {
    IDLE_SESSIONS.idleMs = 150;
    const sockets: import("net").Socket[] = [];
    const s = await serve((req, socket, connection) => {
      sockets[connection] = socket;
      node(req, socket, connection);
    });
    try {
      const open = () => openCqlSession(target(s.port), su, { reuse: true });
      await (await open()).close();
      await new Promise((r) => setTimeout(r, 300));
      assert.deepStrictEqual(s.seen.closed, [true], "closed once idle for idleMs");
      await (await open()).close();
      assert.strictEqual(logins(s), 2);
      // the node closes the idle connection (a restart): the next operation logs in anew
      sockets[1].destroy();
      await new Promise((r) => setTimeout(r, 50));
      await (await open()).close();
      assert.strictEqual(logins(s), 3);
      await assert.rejects(
        openCqlSession(target(s.port), { username: "app", password: "Wrong-Pw-4" }, { reuse: true }),
        (e: unknown) => (e as CqlError).serverCode === "UNAUTHENTICATED",
        "another password is another identity: a login of its own (refused)",
      );
      assert.strictEqual(logins(s), 4);
    } finally {
      await s.close();
    }
  });

  it("a session whose connection failed is not kept: the next operation logs in anew", async () => {
    let drop = true;
    const s = await serve((req, socket, connection) => {
      if (req.opcode === 0x07 && drop) return socket.destroy();
      node(req, socket, connection);
    });
    try {
      const first = await openCqlSession(target(s.port), su, { reuse: true });
      await assert.rejects(first.execute('DROP ROLE IF EXISTS "r"'), (e: unknown) => e instanceof CqlError);
      await first.close();
      drop = false;
      const second = await openCqlSession(target(s.port), su, { reuse: true });
      await second.execute('DROP ROLE IF EXISTS "r"');
      await second.close();
      assert.strictEqual(logins(s), 2);
    } finally {
      await s.close();
    }
  });
});

describe("CassandraRolePassword's destroy on a scripted node", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ops: typeof import("../../provider/cassandra/operations") = require("pulumi-db-passwords/dist/cassandra/operations");
  afterEach(() => closeIdleSessions());

  it("deleteRoleOnDestroy: one DROP ROLE IF EXISTS a role (the pair's two), nothing asked first, on one connection; without it, nothing", async () => {
    const s = await serve((req, socket, connection) => {
      if (req.opcode === 0x07) return socket.write(response(4, 0x08, int(0x0001))); // VOID
      passwordAuthenticator(req, socket, connection);
    });
    try {
      const address = `127.0.0.1:${s.port}`;
      const props = {
        connection: { address, username: "app", password: PASSWORD },
        role: "orders_blue",
        standbyRole: "orders_green",
        activeRole: "orders_green",
        password: "Role-Pw-Destroy-1",
        address,
        passwordVerified: true,
      } as unknown as Parameters<typeof ops.remove>[1];
      await ops.remove(`orders_blue@${address}`, props);
      assert.strictEqual(s.seen.frames.length, 0, "without deleteRoleOnDestroy the node is not asked");
      await ops.remove(`orders_blue@${address}`, { ...props, deleteRoleOnDestroy: true });
      const statements = s.seen.frames.filter((f) => f.opcode === 0x07).map((f) => statementOf(f.body));
      assert.deepStrictEqual(statements, ['DROP ROLE IF EXISTS "orders_blue"', 'DROP ROLE IF EXISTS "orders_green"']);
      assert.strictEqual(s.seen.frames.filter((f) => f.opcode === 0x0f).length, 1, "one login");
    } finally {
      await s.close();
    }
  });
});
