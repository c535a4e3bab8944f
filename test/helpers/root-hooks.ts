/**
 * Root hooks for every mocha run (.mocharc.json requires this file).
 *
 * Mocha runs with `exit: false`, so a run ends only when nothing holds the event loop: a
 * server a suite forgot to stop would hold it forever and turn a finished run into a CI
 * timeout. So, after the last test: the nodes shared across suites (harness/real-cassandra's
 * sharedCassandra) are stopped, and if the process is still alive WATCHDOG_MS later, the
 * handles that hold it are printed and the run fails.
 */
const WATCHDOG_MS = 60000;

export const mochaHooks = {
  async afterAll(): Promise<void> {
    // Loaded lazily: a run that never started a node does not load the Cassandra harness.
    const loaded = require.cache[require.resolve("../../harness/real-cassandra")];
    if (loaded) await (loaded.exports as typeof import("../../harness/real-cassandra")).stopSharedCassandra();
    setTimeout(() => {
      const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
      const names = handles.map((h) => h.constructor?.name ?? typeof h);
      console.error(`[test] the run ended but these handles keep the process alive: ${names.join(", ")}`);
      process.exit(1);
    }, WATCHDOG_MS).unref();
  },
};
