import { startRealMilvus } from "./harness/real-milvus";
import { MilvusSession, canLogin } from "./provider/milvus/client";
(async () => {
  const m = await startRealMilvus();
  const t = { hostPort: m.address, tls: false, timeoutMs: 10000 };
  const root = new MilvusSession(t, { username: "root", password: "Milvus" });
  for (let i = 0; i < 60; i++) await root.createUser(`p_${i}`, `Prof-pass-${i}`);
  const time = async (what: string, fn: (i: number) => Promise<unknown>, par: boolean) => {
    const s = Date.now();
    if (par) await Promise.all(Array.from({ length: 60 }, (_, i) => fn(i)));
    else for (let i = 0; i < 60; i++) await fn(i);
    console.log(what, par ? "parallel" : "serial", Date.now() - s, "ms for 60");
  };
  for (const par of [false, true]) {
    await time("listUsers(root)", () => root.listUsers(), par);
    await time("canLogin right", (i) => canLogin(t, `p_${i}`, `Prof-pass-${i}`), par);
    await time("canLogin right again", (i) => canLogin(t, `p_${i}`, `Prof-pass-${i}`), par);
    await time("canLogin wrong", (i) => canLogin(t, `p_${i}`, `Wrong-pass-${i}`), par);
  }
  await m.stop();
  process.exit(0);
})();
