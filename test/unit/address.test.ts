/**
 * Every address form each caller takes, and what it makes of it: Milvus's connection address
 * (check, the provider, import), a CQL node's address (CassandraRolePassword's connection,
 * GeminiDbAdminPassword's proof blocks, `nodes`), the host:port a Redis proof connects to, and
 * Pulumi's address among a plugin's arguments. Written against the parsers as each caller had
 * its own, so that one module can serve them all without a form gained or lost, and with the
 * same messages.
 */
import * as assert from "assert";
import { ADDRESS, parseAddress } from "../../provider/milvus/names";
import { connectionSchema } from "../../provider/milvus/schema";
import { milvusDatabase } from "../../provider/milvus/adapter";
import { cqlAddressField } from "../../provider/shared/fields";
import { CQL_PORT, cqlTarget } from "../../provider/cql/client";
import { cqlNodeOf } from "../../provider/cql/login";
import { nodeAddress } from "../../provider/cql/nodes";
import { cassandraDatabase } from "../../provider/cassandra/adapter";
import { redisSocketAddress } from "../../provider/redis/client";
import { pulumiArgument } from "../../provider/shared/orphan";
import {
  HOST_PORT,
  URL_ADDRESS,
  joinHostPort,
  parseAddress as parseIn,
  portInRange,
  splitHostPort,
  withPort,
} from "../../provider/shared/address";

const LONGEST = "x".repeat(253);

/** The messages a zod field gives for `value`, or "ok". */
function messages(field: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }) {
  return (value: unknown) => {
    const r = field.safeParse(value);
    return r.success ? "ok" : r.error!.issues.map((i) => i.message).join("; ");
  };
}

/** Runs `fn` with `name` set in the environment (undefined: unset), then puts it back. */
function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const before = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

/** Forms that no caller takes as a user's address. */
const NEVER = [
  "::1",
  "fe80::1",
  "[fe80::1%eth0]:1",
  "a_b:1",
  "a b",
  "-bad",
  "bad-",
  "",
  "host:",
  "[::1]:",
  "a:b:9042",
  ":9042",
  "host:123456",
  "x".repeat(254),
  "ftp://h:1",
  "https://h:1/path",
];

describe("addresses: every form each caller takes", () => {
  describe("Milvus: connection.address and MILVUS_URI", () => {
    const check = messages(connectionSchema);
    const address = (a: unknown) => check({ address: a });
    // [address, hostPort, tls, host]
    const taken: Array<[string, string, boolean, string]> = [
      ["localhost", "localhost:19530", false, "localhost"],
      ["localhost:19530", "localhost:19530", false, "localhost"],
      ["10.0.0.5", "10.0.0.5:19530", false, "10.0.0.5"],
      ["db.example.com:8635", "db.example.com:8635", false, "db.example.com"],
      ["HOST.Example.COM:1", "HOST.Example.COM:1", false, "HOST.Example.COM"],
      ["[::1]", "[::1]:19530", false, "::1"],
      ["[::1]:9042", "[::1]:9042", false, "::1"],
      ["[abc]:1", "[abc]:1", false, "abc"],
      ["http://localhost:19530", "localhost:19530", false, "localhost"],
      ["https://db", "db:19530", true, "db"],
      ["https://db:443", "db:443", true, "db"],
      ["http://[::1]:19530/", "[::1]:19530", false, "::1"],
      ["localhost/", "localhost:19530", false, "localhost"],
      ["host:1/", "host:1", false, "host"],
      // the port as written: the address in state does not change under the user
      ["host:00080", "host:00080", false, "host"],
      [LONGEST, `${LONGEST}:19530`, false, LONGEST],
    ];
    for (const [given, hostPort, tls, host] of taken) {
      it(`takes ${given.length > 40 ? "a 253-character name" : JSON.stringify(given)} as ${tls ? "TLS to " : ""}${host}`, () => {
        assert.deepStrictEqual(parseAddress(given), { hostPort, tls, host });
        assert.ok(ADDRESS.test(given));
        assert.strictEqual(address(given), "ok");
      });
    }

    it("a port out of range is parsed, and refused by check with its own message", () => {
      for (const given of ["host:0", "host:65536", "host:99999"]) {
        assert.strictEqual(parseAddress(given).hostPort, given);
        assert.strictEqual(address(given), "port must be between 1 and 65535", given);
      }
    });

    it("refuses every other form, with check's message and the parser's error", () => {
      for (const given of NEVER) {
        assert.throws(() => parseAddress(given), /^Error: invalid address$/, given);
        assert.ok(!ADDRESS.test(given), given);
        assert.strictEqual(address(given), "must be host:port, http://host:port or https://host:port", given);
      }
      assert.strictEqual(address(5), "must be a string");
    });

    it("MILVUS_URI: any form the parser takes (the port unchecked); another is refused naming the variable", () => {
      const reason = (uri: string | undefined) =>
        withEnv("MILVUS_URI", uri, () => milvusDatabase.checkAddress!({ user: "u" } as never));
      assert.strictEqual(reason("https://db:19530"), undefined);
      assert.strictEqual(reason("host:99999"), undefined);
      assert.deepStrictEqual(reason("ftp://h:1"), {
        property: "connection.address",
        reason: "MILVUS_URI must be host:port, http://host:port or https://host:port",
      });
    });

    it("an import id is user@address, the address in any form check takes, kept as written", () => {
      const adopt = milvusDatabase.importInputs!;
      assert.deepStrictEqual(adopt("alice@https://db:443"), {
        user: "alice",
        connection: { address: "https://db:443" },
      });
      assert.deepStrictEqual(adopt("alice@[::1]"), { user: "alice", connection: { address: "[::1]" } });
      assert.strictEqual(adopt("alice@a b"), undefined);
      assert.strictEqual(adopt("alice@ftp://h:1"), undefined);
    });
  });

  describe("a CQL node: connection.address, GeminiDB's proof blocks, nodes", () => {
    const check = messages(cqlAddressField);
    const taken = [
      "localhost",
      "localhost:19530",
      "10.0.0.5",
      "10.0.0.5:9042",
      "HOST.Example.COM:1",
      "[::1]",
      "[::1]:9042",
      "[abc]:1",
      "host:00080",
      "host:65535",
      LONGEST,
    ];

    it("check takes host and host:port, an IPv6 host in brackets", () => {
      for (const given of taken) assert.strictEqual(check(given), "ok", given);
    });

    it("check refuses a port out of range with its own message", () => {
      for (const given of ["host:0", "host:65536", "host:99999"])
        assert.strictEqual(check(given), "port must be between 1 and 65535", given);
    });

    it("check refuses a scheme, a path and every other form", () => {
      for (const given of [...NEVER, "http://localhost:19530", "https://db", "localhost/", "host:1/"])
        assert.strictEqual(check(given), "must be host or host:port", given);
      assert.strictEqual(check(undefined), "is required and must be a string");
    });

    it("the resource's port is added where the address has none (9042, GeminiDB's 8635)", () => {
      const cases: Array<[string, string, string]> = [
        ["localhost", "localhost:9042", "localhost:8635"],
        ["10.0.0.5:9043", "10.0.0.5:9043", "10.0.0.5:9043"],
        ["[::1]", "[::1]:9042", "[::1]:8635"],
        ["[::1]:9043", "[::1]:9043", "[::1]:9043"],
        ["host:00080", "host:00080", "host:00080"],
        // what check refuses is not mended: the connection fails on it as written
        ["host:", "host::9042", "host::8635"],
        ["::1", "::1", "::1"],
      ];
      for (const [given, cql, gemini] of cases) {
        assert.strictEqual(withPort(given, CQL_PORT), cql, given);
        assert.strictEqual(withPort(given, 8635), gemini, given);
        assert.strictEqual(cqlTarget({ address: given }).hostPort, cql, given);
        assert.strictEqual(cqlTarget({ address: given }, 8635).hostPort, gemini, given);
      }
    });

    it("a target's host:port is split into the node a login connects to (brackets off, 9042 by default)", () => {
      const node = (hostPort: string) => {
        const { host, port } = cqlNodeOf({ hostPort, tls: false });
        return `${host} ${port}`;
      };
      assert.strictEqual(node("10.0.0.5:8635"), "10.0.0.5 8635");
      assert.strictEqual(node("[::1]:9042"), "::1 9042");
      assert.strictEqual(node("[fe80::1%eth0]:1"), "fe80::1%eth0 1");
      assert.strictEqual(node("localhost"), "localhost 9042");
      assert.strictEqual(node("[::1]"), "::1 9042");
      assert.strictEqual(node("host:00080"), "host 80");
      // CASSANDRA_ADDRESS passes check with its port unchecked: the node keeps it, the login fails on it
      assert.strictEqual(node("host:99999"), "host 99999");
    });

    it("a node is named host:port, an IPv6 host in brackets", () => {
      assert.strictEqual(nodeAddress({ host: "::1", port: 9042 }), "[::1]:9042");
      assert.strictEqual(nodeAddress({ host: "10.0.0.5", port: 8635 }), "10.0.0.5:8635");
    });

    it("CASSANDRA_ADDRESS: host or host:port (the port unchecked); another is refused naming the variable", () => {
      const reason = (address: string | undefined) =>
        withEnv("CASSANDRA_ADDRESS", address, () => cassandraDatabase.checkAddress!({ role: "r" } as never));
      assert.strictEqual(reason("[::1]:9042"), undefined);
      assert.strictEqual(reason("host:99999"), undefined);
      assert.deepStrictEqual(reason("http://h:1"), {
        property: "connection.address",
        reason: "CASSANDRA_ADDRESS must be host or host:port",
      });
    });

    it("an import id is role@address, the address with 9042 where it has no port", () => {
      const adopt = cassandraDatabase.importInputs!;
      assert.deepStrictEqual(adopt("app@10.0.0.5"), { role: "app", connection: { address: "10.0.0.5:9042" } });
      assert.deepStrictEqual(adopt("app@[::1]:9043"), { role: "app", connection: { address: "[::1]:9043" } });
      assert.strictEqual(adopt("app@a b"), undefined);
      assert.strictEqual(adopt("app@https://h:1"), undefined);
    });
  });

  describe("a Redis proof's host:port", () => {
    it("takes host:port and [v6]:port, the port within 1..65535", () => {
      const cases: Array<[string, string, number]> = [
        ["localhost:6379", "localhost", 6379],
        ["10.0.0.5:6379", "10.0.0.5", 6379],
        ["[::1]:6379", "::1", 6379],
        ["[fe80::1%eth0]:1", "fe80::1%eth0", 1],
        ["a_b:1", "a_b", 1],
        ["host:00080", "host", 80],
        ["host:65535", "host", 65535],
      ];
      for (const [given, host, port] of cases) assert.deepStrictEqual(redisSocketAddress(given), { host, port }, given);
    });

    it("refuses anything else, naming it", () => {
      for (const given of ["localhost", "[::1]", "host:0", "host:65536", ":6379", "a:b:6379", "", "http://h:1"]) {
        assert.throws(
          () => redisSocketAddress(given),
          (err: Error) => err.message === `connect (redis ${given}): not a host:port address: ${JSON.stringify(given)}`,
          given,
        );
      }
    });
  });

  describe("Pulumi's address among a plugin's arguments", () => {
    it("takes host:port, [v6]:port and :port (on 127.0.0.1), the port within 1..65535", () => {
      const cases: Array<[string, string, number]> = [
        ["127.0.0.1:40123", "127.0.0.1", 40123],
        ["localhost:1", "localhost", 1],
        ["[::1]:40123", "::1", 40123],
        ["[fe80::1%eth0]:1", "fe80::1%eth0", 1],
        [":40123", "127.0.0.1", 40123],
        ["host:00080", "host", 80],
      ];
      for (const [given, host, port] of cases) assert.deepStrictEqual(pulumiArgument([given]), { host, port }, given);
    });

    it("finds none in anything else", () => {
      for (const given of ["localhost", "[::1]", "host:0", "host:65536", "a:b:1", ""])
        assert.strictEqual(pulumiArgument([given]), undefined, given);
    });
  });

  describe("the one parser (shared/address.ts)", () => {
    it("parses host[:port] and, in URL_ADDRESS, a scheme and a trailing /", () => {
      assert.deepStrictEqual(parseIn("[::1]", HOST_PORT, 9042), { host: "::1", hostPort: "[::1]:9042" });
      assert.deepStrictEqual(parseIn("https://db/", URL_ADDRESS, 1), { scheme: "https", host: "db", hostPort: "db:1" });
      assert.strictEqual(parseIn("https://db", HOST_PORT, 1), undefined);
      assert.strictEqual(parseIn("a b", URL_ADDRESS, 1), undefined);
    });

    it("splits a whole host:port, defaults filling what is missing, the range left to the caller", () => {
      assert.deepStrictEqual(splitHostPort("[::1]:7"), { host: "::1", port: 7 });
      assert.deepStrictEqual(splitHostPort("h:99999"), { host: "h", port: 99999 });
      assert.deepStrictEqual(splitHostPort("h", { port: 9042 }), { host: "h", port: 9042 });
      assert.deepStrictEqual(splitHostPort(":7", { host: "127.0.0.1" }), { host: "127.0.0.1", port: 7 });
      assert.strictEqual(splitHostPort("h"), undefined);
      assert.strictEqual(splitHostPort(":7"), undefined);
      assert.strictEqual(splitHostPort("a:b:7"), undefined);
      assert.ok(portInRange(1) && portInRange(65535) && !portInRange(0) && !portInRange(65536));
    });

    it("writes host:port with an IPv6 host in brackets", () => {
      assert.strictEqual(joinHostPort("::1", 9042), "[::1]:9042");
      assert.strictEqual(joinHostPort("db", 1), "db:1");
    });
  });
});
