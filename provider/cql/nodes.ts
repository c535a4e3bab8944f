/**
 * The nodes of a Cassandra cluster that a proof logs in on, each on a connection of its own
 * (provider/cql/login.ts): clients connect to every node's address (GeminiDB for Cassandra has
 * no load balancer), and every node checks a password itself, through a credentials cache of its
 * own that ALTER ROLE does not invalidate. So a change is proved on each node, not on the one a
 * driver happens to reach. docs/clusters.md.
 *
 * Which nodes: the endpoint's address (the contact point, where the statements run), then the
 * `nodes` it lists (`host` or `host:port`, the address's port when omitted), then, with
 * `discoverNodes` (by default when `nodes` is not given), the peers the contact point knows:
 * `system.peers_v2` (native_address, native_port; Cassandra 4 and later) or, on a server without
 * it, `system.peers` (rpc_address, with the address's port). Discovery logs in as the first of
 * the given identities the contact point takes (any role may read the system tables); one that
 * fails leaves the contact point and the listed nodes, with a note saying so. The operations of a
 * provider process share one discovery per contact point for DISCOVERY_REUSE.ms (the peers of a
 * cluster do not change within a `pulumi up`): a refresh of 60 roles reads the peers once, not 60
 * times, each read costing the node about as much CPU as a quarter of a login
 * (bench/cql-node-cost.ts).
 */
import * as crypto from "crypto";
import { CqlError } from "../shared/errors";
import { AT_ONCE, Clock, NodeLogin, ProofBound, REAL_CLOCK, proofDelay } from "../shared/login-proof";
import { joinHostPort, withPort } from "../shared/address";
import { CqlIdentity, CqlTarget } from "./client";
import { CqlNode, CqlRows, cqlNodeLogin, cqlNodeOf, cqlNodeQuery } from "./login";

/** The fields of a CQL endpoint that say which nodes to prove on, and how long their caches keep a password. */
export interface CqlClusterInputs {
  /** Node addresses, `host` or `host:port` (the address's port when omitted). */
  nodes?: string[];
  /** Read the other nodes from the contact point's system.peers_v2 (system.peers). Default: without `nodes`. */
  discoverNodes?: boolean;
  /** The nodes' credentials_validity plus credentials_update_interval, ms. */
  credentialsCacheMs?: number;
}

/** What discovery reads, in turn: peers_v2 (Cassandra 4+), then peers (3.x, and servers without peers_v2). */
export const PEERS_STATEMENTS = [
  "SELECT peer, native_address, native_port FROM system.peers_v2",
  "SELECT peer, rpc_address FROM system.peers",
] as const;

/** `host:port` of a node, an IPv6 host in brackets: how outputs and messages name it. */
export function nodeAddress(node: Pick<CqlNode, "host" | "port">): string {
  return joinHostPort(node.host, node.port);
}

const unspecified = (a: unknown) => a === "0.0.0.0" || a === "::";

/**
 * The peers in a discovery's rows: native_address and native_port from peers_v2, rpc_address
 * with `port` from peers; the peer's own address where the native one is unspecified (a node
 * listening on every interface); rows without an address (a node still joining) left out.
 */
export function peersOf(statement: number, result: CqlRows, port: number): Array<{ host: string; port: number }> {
  const col = (name: string) => result.columns.findIndex((c) => c.name === name);
  const [peer, address, nativePort] =
    statement === 0 ? [col("peer"), col("native_address"), col("native_port")] : [col("peer"), col("rpc_address"), -1];
  const out: Array<{ host: string; port: number }> = [];
  for (const row of result.rows) {
    let host = address >= 0 ? row[address] : null;
    if (host === null || unspecified(host)) host = peer >= 0 ? row[peer] : null;
    if (typeof host !== "string") continue;
    const p = nativePort >= 0 && typeof row[nativePort] === "number" ? (row[nativePort] as number) : port;
    out.push({ host, port: p });
  }
  return out;
}

/** A login the node refused, or one it could not check (it cannot read that role now): the next identity may do. */
const notThisIdentity = (err: unknown) =>
  err instanceof CqlError && (err.serverCode === "UNAUTHENTICATED" || (err.serverCode === "256" && err.transient));

/**
 * The peers `contact` knows, read as the first of `identities` it takes (one refused, or one
 * whose role it cannot read: the next). While every identity is refused (a credentials cache
 * that has not let a new password in yet) it asks again within `bound`. Throws a CqlError when
 * none logs in, or the node could not be asked.
 */
export async function discoverPeers(
  contact: CqlNode,
  identities: readonly CqlIdentity[],
  timeoutMs: number,
  bound: ProofBound = AT_ONCE,
  clock: Clock = REAL_CLOCK,
): Promise<Array<{ host: string; port: number }>> {
  return (await discoverPeersAs(contact, identities, timeoutMs, bound, clock)).peers;
}

/** discoverPeers, and the identity the contact point took. */
async function discoverPeersAs(
  contact: CqlNode,
  identities: readonly CqlIdentity[],
  timeoutMs: number,
  bound: ProofBound = AT_ONCE,
  clock: Clock = REAL_CLOCK,
): Promise<{ peers: Array<{ host: string; port: number }>; who: CqlIdentity }> {
  const deadline = clock.now() + bound.boundMs;
  for (let attempt = 0; ; attempt++) {
    let last: CqlError | undefined;
    for (const who of identities) {
      try {
        const answer = await cqlNodeQuery(contact, who.username, who.password, PEERS_STATEMENTS, timeoutMs);
        return { peers: peersOf(answer.statement, answer.rows, contact.port), who };
      } catch (err) {
        if (!notThisIdentity(err)) throw err;
        last = err as CqlError;
      }
    }
    if (!last) {
      throw new CqlError("no identity to log in with", {
        operation: "discover nodes",
        target: `cql ${nodeAddress(contact)}`,
      });
    }
    const delay = proofDelay(bound, attempt);
    if (last.serverCode !== "UNAUTHENTICATED" || clock.now() + delay >= deadline) throw last;
    await clock.sleep(delay);
  }
}

type Peers = Array<{ host: string; port: number }>;

/** How long the operations of a process reuse a contact point's discovery (tests set it). */
export const DISCOVERY_REUSE = { ms: 10000 };

/**
 * The discoveries of this process, by contact point (address, TLS, CA): started by the first
 * operation that needed one, with its identities tried once each; a failed one is forgotten.
 */
const discoveries = new Map<string, { at: number; peers: Promise<Peers> }>();

/** Forgets every discovery of this process (tests whose nodes change). */
export function forgetDiscoveries(): void {
  discoveries.clear();
}

const discoveryKey = (contact: CqlNode) =>
  [
    nodeAddress(contact).toLowerCase(),
    contact.tls ? "tls" : "plain",
    crypto
      .createHash("sha256")
      .update(contact.caCertificate ?? "")
      .digest("hex"),
  ].join("|");

/**
 * The peers `contact` knows, and the identity that read them when this operation did: the
 * process's discovery of that contact point when one is under way or recent, else one of this
 * operation's (shared with the operations that come while it runs). The shared attempt tries each
 * identity once; only this operation then waits within `bound` for one the node takes (a new
 * password its credentials cache does not let in yet), so no other waits on its identities.
 */
async function sharedDiscovery(
  contact: CqlNode,
  identities: () => CqlIdentity[],
  timeoutMs: number,
  bound: ProofBound,
): Promise<{ peers: Peers; who?: CqlIdentity }> {
  const key = discoveryKey(contact);
  const recent = discoveries.get(key);
  if (recent && Date.now() - recent.at < DISCOVERY_REUSE.ms) {
    try {
      return { peers: await recent.peers };
    } catch {
      // that operation's identities were refused, or the node failed it: try this one's
    }
  }
  const ids = identities();
  const attempt = discoverPeersAs(contact, ids, timeoutMs, AT_ONCE);
  const entry = { at: Date.now(), peers: attempt.then((r) => r.peers) };
  discoveries.set(key, entry);
  entry.peers.catch(() => {
    if (discoveries.get(key) === entry) discoveries.delete(key);
  });
  try {
    return await attempt;
  } catch (err) {
    if (!(err instanceof CqlError && err.serverCode === "UNAUTHENTICATED") || bound.boundMs <= 0) throw err;
    return discoverPeersAs(contact, ids, timeoutMs, bound);
  }
}

/** The nodes of one operation: resolved once (the first proof's identities discover them). */
export interface CqlNodes {
  /** The nodes a proof logs in on, the contact point first; `identities` are tried for discovery. */
  resolve(identities: () => CqlIdentity[]): Promise<CqlNode[]>;
  /** `user`'s logins on every node. */
  logins(user: string, identities: () => CqlIdentity[]): Promise<NodeLogin[]>;
  /** The contact point's logins only (what ran a statement, asked whether it was applied). */
  contactLogin(user: string): NodeLogin;
  /** What the user should read about the nodes (a discovery that failed). */
  notes(): string[];
}

/**
 * The nodes of `cluster` at `target` (its address, port, TLS and timeout): resolved on first use,
 * once, discovery waiting up to `bound` for an identity the contact point takes. A discovery that
 * fails leaves the contact point and the listed nodes, and a note.
 */
export function cqlNodes(target: CqlTarget, cluster: CqlClusterInputs = {}, bound: ProofBound = AT_ONCE): CqlNodes {
  const contact = cqlNodeOf(target);
  const port = contact.port;
  const listed = (cluster.nodes ?? []).map((a) => cqlNodeOf({ ...target, hostPort: withPort(a, port) }));
  const discover = cluster.discoverNodes ?? cluster.nodes === undefined;
  const notes: string[] = [];
  let resolved: Promise<CqlNode[]> | undefined;
  // The identity discovery logged in as on the contact point, just before the proof: that login
  // answers the proof's first login there when it asks the same user and password (one login a
  // resource less). Whatever that first login asks, every later one asks the node: discovery may
  // have taken an old password that a credentials cache still held, and a proof that asks it
  // again, after the new one took, must hear the node's answer of that moment.
  let tookAtDiscovery: CqlIdentity | undefined;
  const unique = (nodes: CqlNode[]) => {
    const seen = new Set<string>();
    return nodes.filter((n) => {
      const key = nodeAddress(n).toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  const loginsOf = (nodes: CqlNode[], user: string): NodeLogin[] =>
    nodes.map((n) => ({
      address: nodeAddress(n),
      login: async (password) => {
        if (n === contact) {
          // only the first login there may be answered so: a later one (the old password asked
          // after the new one took) comes after the node may have changed its mind
          const took = tookAtDiscovery;
          tookAtDiscovery = undefined;
          if (took && took.username === user && took.password === password) return true;
        }
        return cqlNodeLogin(n, user, password, target.timeoutMs);
      },
    }));
  const api: CqlNodes = {
    resolve(identities) {
      resolved ??= (async () => {
        if (!discover) return unique([contact, ...listed]);
        try {
          const { peers, who } = await sharedDiscovery(contact, identities, target.timeoutMs, bound);
          tookAtDiscovery = who;
          const found = peers.map((p) => ({ ...contact, host: p.host, port: p.port }));
          return unique([contact, ...listed, ...found]);
        } catch (err) {
          const kept = unique([contact, ...listed])
            .map(nodeAddress)
            .join(", ");
          const why = err instanceof Error ? err.message : String(err);
          notes.push(
            `cql ${nodeAddress(contact)}: the cluster's nodes could not be discovered (${why}); the proof covers ` +
              `${kept} only: list the nodes in \`nodes\` (and set \`discoverNodes: false\`) to prove on each`,
          );
          return unique([contact, ...listed]);
        }
      })();
      return resolved;
    },
    async logins(user, identities) {
      return loginsOf(await api.resolve(identities), user);
    },
    contactLogin: (user) => loginsOf([contact], user)[0],
    notes: () => [...notes],
  };
  return api;
}

/**
 * Whether `password` logs in on every node of `logins`: false when one refuses it, else true when
 * one takes it (nodes that could not be asked left out, unless one failed for good: TLS); throws
 * when none could tell.
 */
export async function logsInEverywhere(logins: readonly NodeLogin[], password: string): Promise<boolean> {
  const answers = await Promise.allSettled(logins.map((n) => n.login(password)));
  if (answers.some((a) => a.status === "fulfilled" && a.value === false)) return false;
  if (answers.some((a) => a.status === "fulfilled" && a.value === true)) {
    // a node that failed for good (TLS) is no node that may be left out
    const failed = answers.find((a) => a.status === "rejected" && !(a.reason as CqlError)?.transient);
    if (failed && failed.status === "rejected") throw failed.reason;
    return true;
  }
  throw (answers.find((a) => a.status === "rejected") as PromiseRejectedResult).reason;
}
