import * as fs from "fs";
import * as path from "path";
import { startRealMilvus } from "./harness/real-milvus";
import { PulumiProject } from "./harness/pulumi-cli";
import { installedProject } from "./harness/installed";
import { MilvusSession } from "./provider/milvus/client";
(async () => {
  const m = await startRealMilvus();
  await new MilvusSession({ hostPort: m.address, tls: false, timeoutMs: 10000 }, { username: "root", password: "Milvus" }).updatePassword("root", "Milvus", "Prof-root-1");
  const dir = installedProject(path.join(__dirname, "bench", "program"));
  for (const scenario of ["floor", "milvus"]) {
    const p = new PulumiProject(dir, scenario);
    await p.init({ scenario, n: "60", round: "1", prefix: "prof", milvusAddress: m.address, projectId: "x", endpoint: "x", instances: "[]" }, { rootPassword: "Prof-root-1" });
    await p.ok(["up", "--yes"]);
    for (const i of [1]) {
      const s = Date.now(); await p.ok(["refresh", "--yes"]); console.log(scenario, "refresh", Date.now() - s);
      const s2 = Date.now(); await p.ok(["refresh", "--yes", "--skip-preview"]); console.log(scenario, "refresh --skip-preview", Date.now() - s2);
    }
    const profDir = `/tmp/prof-${scenario}`; fs.rmSync(profDir, { recursive: true, force: true });
    await p.ok(["refresh", "--yes", "--skip-preview"], { env: { NODE_OPTIONS: "--require /tmp/profhook.js", PROF_DIR: profDir } });
    await p.ok(["destroy", "--yes"]);
    await p.cleanup();
  }
  await m.stop();
  process.exit(0);
})();
