/**
 * A CQL proxy on loopback that logs every client in as another role: it rewrites the username
 * of the SASL PLAIN token in AUTH_RESPONSE frames (`\0user\0password`) from `from` to `to`, and
 * passes everything else through. The bench backs many GeminiDB instances with one Cassandra
 * node this way: the provider logs in as `rwuser` at instance i's address and the node sees
 * the role of instance i, whose password the emulator changes on that instance's reset.
 *
 * `stats.accepted` counts the connections it accepts (the bench's count of logins: one proxy
 * in the path, not a counting proxy in front of this one).
 *
 * Frames as protocol v4 defines them (the version the DataStax driver speaks to Cassandra 5):
 * a 9-byte header (version, flags, stream, opcode, body length) and the body, uncompressed.
 */
import * as net from "net";

const AUTH_RESPONSE = 0x0f;

function rewrite(frame: Buffer, from: string, to: string): Buffer {
  if (frame[4] !== AUTH_RESPONSE) return frame;
  const body = frame.subarray(9);
  const n = body.readInt32BE(0);
  const token = body.subarray(4, 4 + n);
  const first = token.indexOf(0);
  const second = token.indexOf(0, first + 1);
  if (first < 0 || second < 0 || token.subarray(first + 1, second).toString("utf8") !== from) return frame;
  const renamed = Buffer.concat([token.subarray(0, first + 1), Buffer.from(to, "utf8"), token.subarray(second)]);
  const header = Buffer.from(frame.subarray(0, 9));
  header.writeInt32BE(4 + renamed.length, 5);
  const length = Buffer.alloc(4);
  length.writeInt32BE(renamed.length, 0);
  return Buffer.concat([header, length, renamed, body.subarray(4 + n)]);
}

export interface RoleProxy {
  address: string;
  stop(): Promise<void>;
}

export async function startRoleProxy(
  target: { host: string; port: number },
  from: string,
  to: string,
  stats: { accepted: number } = { accepted: 0 },
): Promise<RoleProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    stats.accepted++;
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => (client.destroy(), upstream.destroy()));
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 9) {
        const size = 9 + pending.readInt32BE(5);
        if (pending.length < size) break;
        upstream.write(rewrite(pending.subarray(0, size), from, to));
        pending = pending.subarray(size);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}
