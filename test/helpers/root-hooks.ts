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
      const held = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
      console.error(`[test] the run ended but these keep the process alive: ${held.join(", ")}`);
      // mocha's own exit handler sets the exit code to the number of failures; this one runs after it
      process.on("exit", () => (process.exitCode = 1));
      process.exit(1);
    }, WATCHDOG_MS).unref();
  },
};
