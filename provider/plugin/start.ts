/**
 * What `bin/pulumi-resource-dbpasswords` runs: it refuses a Node.js older than the package
 * supports with one line (the CLI shows it as the plugin's error), before loading anything that
 * would fail on it with a stack trace, then serves the plugin (./main).
 */

/** The oldest Node.js major the package is tested on (README, "Supported versions"). */
export const MIN_NODE_MAJOR = 20;

/** The one-line refusal for Node.js `version` (`process.versions.node`), or undefined when it is supported. */
export function nodeRefusal(version: string): string | undefined {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return (
    `pulumi-resource-dbpasswords: Node.js ${MIN_NODE_MAJOR} or later is required, but the node on PATH is ` +
    `v${version}; install a current Node.js (26 is tested) and put it first on PATH`
  );
}

if (require.main === module) {
  const refusal = nodeRefusal(process.versions.node);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    process.exit(1);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("./main") as typeof import("./main")).main().catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-dbpasswords: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
