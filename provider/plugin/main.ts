/**
 * The dbpasswords provider plugin, served by `start.ts` (what `bin/pulumi-resource-dbpasswords` runs). Programs in
 * every Pulumi language (Python, YAML, Go, ...) reach the resources through it; TypeScript
 * programs may also use the dynamic classes, which share the lifecycle.
 */
import * as fs from "fs";
import * as path from "path";
import { packageSchema } from "./schema";
import { SPECS, resourceOf } from "./resources";
import { serve } from "./server";

/** The package's own package.json: the plugin's version and the schema's package information. */
function packageJson(): { version: string; description: string; license: string; keywords: string[] } {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
}

export function main(args: string[] = process.argv.slice(2)): Promise<number> {
  const pkg = packageJson();
  let schema: string | undefined;
  return serve(
    { version: pkg.version, schema: () => (schema ??= JSON.stringify(packageSchema(SPECS, pkg))), resourceOf },
    args,
  );
}
