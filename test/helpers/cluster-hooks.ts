import type { CassandraCluster } from "../../harness/cassandra-cluster";

/**
 * Hooks for a describe of the cluster tests whose tests run with system_auth at Cassandra's
 * default replication (RF 1): set before them; after them every node started again (a test
 * may leave one stopped; a no-op for a running node) and RF 3 restored for the next describe.
 * `cluster` is read when the hooks run: the file's before-all hook starts it.
 */
export function atDefaultAuthReplication(cluster: () => CassandraCluster): void {
  before(async function () {
    this.timeout(120000);
    await cluster().setAuthReplication(1);
  });
  after(async function () {
    this.timeout(180000);
    for (const node of cluster().nodes) await node.start();
    await cluster().setAuthReplication(3);
  });
}
