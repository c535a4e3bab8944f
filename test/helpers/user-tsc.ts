import { SpawnSyncReturns, spawnSync } from "child_process";

/**
 * tsc on `files` with the options a user's TypeScript program is checked with (strict,
 * CommonJS, ES2022, Node's types), from `dir`, whose node_modules holds the package: no output,
 * the result as spawnSync gives it (status 0 when every file type-checks).
 */
export function tscAsUser(dir: string, files: string[]): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "--noEmit",
      "--strict",
      "--module",
      "commonjs",
      "--target",
      "es2022",
      "--types",
      "node",
      "--esModuleInterop",
      "--skipLibCheck",
      ...files,
    ],
    { cwd: dir, encoding: "utf8" },
  );
}
