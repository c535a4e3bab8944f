/**
 * A Pulumi project directory in which this package is installed the way `npm install` puts
 * it in a user's project: a real copy of the published files in node_modules (not this
 * repository's symlink), next to the other dependencies (linked from this repository's
 * node_modules, so nothing is downloaded). Pulumi's closure serializer then sees the package
 * under node_modules, as it does in a user's program.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "./tools";

/** The files `npm pack` publishes (package.json "files", plus package.json itself). */
function publishedFiles(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
  return ["package.json", ...(pkg.files as string[]).map((f) => f.replace(/\/$/, ""))];
}

/** Copies the program in `programDir` into a new temporary project with the package installed. */
export function installedProject(programDir: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-installed-"));
  fs.cpSync(programDir, dir, { recursive: true });
  const modules = path.join(dir, "node_modules");
  const own = path.join(modules, "pulumi-db-passwords");
  fs.mkdirSync(own, { recursive: true });
  for (const f of publishedFiles()) {
    if (fs.existsSync(path.join(REPO_ROOT, f)))
      fs.cpSync(path.join(REPO_ROOT, f), path.join(own, f), { recursive: true });
  }
  for (const entry of fs.readdirSync(path.join(REPO_ROOT, "node_modules"))) {
    if (entry === "pulumi-db-passwords" || entry.startsWith(".")) continue;
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", entry), path.join(modules, entry));
  }
  return dir;
}
