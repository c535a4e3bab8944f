/**
 * `npm run demo`: a real `pulumi up` on local servers. Starts an embedded Milvus with
 * authentication on, a real Apache Cassandra, a real Redis with TLS, and the GeminiDB/IAM
 * emulator on loopback with two instances: a Cassandra one (each reset becomes an ALTER ROLE
 * rwuser on that Cassandra) and a Redis one (each reset becomes CONFIG SET requirepass on that
 * Redis). Sets the three passwords with the root Pulumi.yaml program, rotates them by changing
 * secret config, proves with pymilvus, over CQL and with Redis logins that the new passwords
 * work and the old ones do not, refreshes, destroys, and stops everything.
 */
import * as fs from "fs";
import * as path from "path";
import { generatePassword, GEMINIDB_PASSWORD_POLICY, MILVUS_PASSWORD_POLICY } from "../provider/shared/password";
import { MilvusSession } from "../provider/milvus/client";
import { MILVUS_DEFAULT_ROOT } from "../harness/fixtures";
import { RealMilvus, setRootPassword, startRealMilvus } from "../harness/real-milvus";
import { pymilvusCanLogin } from "../harness/pymilvus";
import { PulumiProject, CliResult } from "../harness/pulumi-cli";
import { cassandraLib, milvusVenv, programNodeBin, pulumiBin, REPO_ROOT } from "../harness/tools";
import { GeminiDbEmulator } from "../harness/geminidb-emulator";
import { RealCassandra, startRealCassandra } from "../harness/real-cassandra";
import { alterRolePassword, cqlAs, cqlCanLogin } from "../harness/cql";
import { cqlString } from "../provider/cql/client";
import { RealRedis, startRealRedis } from "../harness/real-redis";
import { redisLogin } from "../provider/redis/client";

const PROJECT_ID = "0123456789abcdef0123456789abcdef";
const INSTANCE_ID = "9136fd2a9fcd405ea4674276ce36dae8in06";
const REDIS_INSTANCE_ID = "4f1c2a7e9b3d4e5f8a6b7c8d9e0f1a2bin12";
const AK = "DEMOACCESSKEY001";

let step = 0;
const TOTAL = 10;
const say = (text: string) => console.log(`\n[${++step}/${TOTAL}] ${text}`);
const note = (text: string) => console.log(`      ${text}`);
const mark = (ok: boolean) => (ok ? "yes" : "no");

let failures = 0;
const expect = (what: string, ok: boolean) => {
  note(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
};

/** Shows the CLI's own output, unfiltered, and checks that it reports no warning. */
function showCli(r: CliResult) {
  for (const l of r.all.split("\n")) if (l.trim()) console.log(`      | ${l}`);
  expect("the CLI reported no warning", !/\bwarning/i.test(r.all));
}

async function main() {
  let milvus: RealMilvus | undefined;
  let emu: GeminiDbEmulator | undefined;
  let cassandra: RealCassandra | undefined;
  let redis: RealRedis | undefined;
  let project: PulumiProject | undefined;
  try {
    say(
      "Installing the tools (cached after the first run): Node.js 26, Pulumi CLI from source, Milvus, Cassandra, Redis",
    );
    note(`node for the program: ${programNodeBin()}/node`);
    note(`pulumi: ${pulumiBin()}/pulumi`);
    note(`milvus + pymilvus: ${milvusVenv()}`);
    note(`cassandra: ${cassandraLib()}`);
    // Cassandra takes 10-15 s to start: it starts now and is waited for below
    const cassandraStarting = startRealCassandra();
    cassandraStarting.catch(() => undefined);

    say("Starting Milvus 2.3 with authentication on");
    milvus = await startRealMilvus();
    const rootPw = generatePassword(MILVUS_PASSWORD_POLICY);
    const bootstrap = generatePassword(MILVUS_PASSWORD_POLICY);
    const admin = new MilvusSession({ hostPort: milvus.address, tls: false, timeoutMs: 10000 }, MILVUS_DEFAULT_ROOT);
    await admin.createUser("search_app", bootstrap);
    await setRootPassword(milvus, rootPw);
    note(`Milvus listens on ${milvus.address}; user search_app exists with a bootstrap password`);
    note("root's default password was replaced");

    say("Starting Apache Cassandra (GeminiDB's engine family) with password authentication");
    cassandra = await cassandraStarting;
    const superPw = generatePassword(MILVUS_PASSWORD_POLICY);
    const rw0 = generatePassword(GEMINIDB_PASSWORD_POLICY);
    const cql = { address: cassandra.address };
    await alterRolePassword(cql, cassandra.superuser, "cassandra", superPw, { settle: true });
    cassandra.superuser.password = superPw;
    await cqlAs(
      cql,
      cassandra.superuser,
      [`CREATE ROLE rwuser WITH PASSWORD = ${cqlString(rw0)} AND LOGIN = true`],
      [rw0],
    );
    note(`Cassandra's CQL listens on ${cassandra.address}; role rwuser exists with an initial password`);

    say("Starting Redis 7 (GeminiDB for Redis speaks its protocol) with a password and TLS only");
    const cache0 = generatePassword(GEMINIDB_PASSWORD_POLICY);
    redis = await startRealRedis({ password: cache0, tls: true });
    const cacheLogsIn = (password: string) => redisLogin(redis!.target(5000), password);
    const redisCaFile = path.join(redis.dir, "console-ca.crt"); // as downloaded from the console
    fs.writeFileSync(redisCaFile, redis.caCertificate!);
    note(`Redis listens on ${redis.address} (TLS, a throwaway CA); rwuser's initial password is set`);

    say("Starting the GeminiDB + IAM emulator (AK/SK signatures checked as the service does)");
    emu = new GeminiDbEmulator();
    const sk = generatePassword(GEMINIDB_PASSWORD_POLICY);
    emu.projects.set("eu-west-101", PROJECT_ID);
    emu.akSk.set(AK, { sk });
    emu.instances.set(INSTANCE_ID, {
      id: INSTANCE_ID,
      projectId: PROJECT_ID,
      status: "normal",
      datastore: "Cassandra",
      actions: [],
      password: rw0,
    });
    emu.instances.set(REDIS_INSTANCE_ID, {
      id: REDIS_INSTANCE_ID,
      projectId: PROJECT_ID,
      status: "normal",
      datastore: "redis",
      actions: [],
      password: cache0,
    });
    emu.useDatabase(cql, cassandra.superuser);
    emu.backWith(REDIS_INSTANCE_ID, { kind: "redis", server: redis });
    await emu.start();
    note(`emulator at ${emu.url}; instance ${INSTANCE_ID} (Cassandra, normal), its resets applied to that Cassandra`);
    note(`instance ${REDIS_INSTANCE_ID} (Redis, normal), its resets applied to that Redis`);

    say("Creating the stack and putting the passwords in secret config");
    project = new PulumiProject(REPO_ROOT, "demo", { HW_ACCESS_KEY: AK, HW_SECRET_KEY: sk });
    const app1 = generatePassword(MILVUS_PASSWORD_POLICY);
    const rw1 = generatePassword(GEMINIDB_PASSWORD_POLICY);
    const cache1 = generatePassword(GEMINIDB_PASSWORD_POLICY);
    await project.init(
      {
        milvusAddress: milvus.address,
        geminiDbInstanceId: INSTANCE_ID,
        geminiDbEndpoint: emu.url,
        iamEndpoint: emu.url,
        geminiDbCqlAddress: cassandra.address,
        geminiDbRedisInstanceId: REDIS_INSTANCE_ID,
        geminiDbRedisAddress: redis.address,
        geminiDbRedisCaFile: redisCaFile,
      },
      {
        milvusRootPassword: rootPw,
        searchAppPassword: app1,
        searchAppCurrentPassword: bootstrap,
        ordersRwuserPassword: rw1,
        cacheRwuserPassword: cache1,
      },
    );
    note("pulumi stack init demo; pulumi config set --secret searchAppPassword / ordersRwuserPassword / ...");

    say("pulumi up: setting the three passwords");
    let r = await project.run(["up", "--yes"]);
    showCli(r);
    expect("pulumi up succeeded", r.code === 0);
    const appLogsIn = await pymilvusCanLogin(milvus.address, "search_app", app1);
    expect(`pymilvus logs in as search_app with the configured password: ${mark(appLogsIn)}`, appLogsIn);
    expect(
      "pymilvus refuses the bootstrap password",
      !(await pymilvusCanLogin(milvus.address, "search_app", bootstrap)),
    );
    expect("the GeminiDB rwuser password is the configured one", emu.instances.get(INSTANCE_ID)!.password === rw1);
    expect("rwuser logs in over CQL with it", await cqlCanLogin(cql, "rwuser", rw1));
    expect("rwuser's initial password is refused over CQL", !(await cqlCanLogin(cql, "rwuser", rw0)));
    expect("the Redis instance's rwuser password is the configured one", redis.password === cache1);
    expect("rwuser logs in on Redis with it (AUTH + PING over TLS)", await cacheLogsIn(cache1));
    expect("the Redis instance's initial password is refused", !(await cacheLogsIn(cache0)));

    say("Rotation: pulumi config set --secret with new passwords, then pulumi up");
    const app2 = generatePassword(MILVUS_PASSWORD_POLICY);
    const rw2 = generatePassword(GEMINIDB_PASSWORD_POLICY);
    const cache2 = generatePassword(GEMINIDB_PASSWORD_POLICY);
    await project.setSecret("searchAppPassword", app2);
    await project.setSecret("ordersRwuserPassword", rw2);
    await project.setSecret("cacheRwuserPassword", cache2);
    r = await project.run(["up", "--yes"]);
    showCli(r);
    expect("pulumi up succeeded", r.code === 0);
    expect("pymilvus logs in with the new password", await pymilvusCanLogin(milvus.address, "search_app", app2));
    expect("pymilvus refuses the old password", !(await pymilvusCanLogin(milvus.address, "search_app", app1)));
    expect("the GeminiDB rwuser password was reset to the new one", emu.instances.get(INSTANCE_ID)!.password === rw2);
    expect("rwuser logs in over CQL with the new password", await cqlCanLogin(cql, "rwuser", rw2));
    expect("rwuser's old password is refused over CQL", !(await cqlCanLogin(cql, "rwuser", rw1)));
    expect("rwuser logs in on Redis with the new password", await cacheLogsIn(cache2));
    expect("rwuser's old password is refused on Redis", !(await cacheLogsIn(cache1)));
    const outputs = await project.ok(["stack", "output", "--json"]);
    const out = JSON.parse(outputs.stdout);
    expect(
      `the stack says engine ${out.geminiDbRedisEngine}, passwordVerified ${out.geminiDbRedisPasswordVerified}`,
      out.geminiDbRedisEngine === "redis" && out.geminiDbRedisPasswordVerified === true,
    );
    const state = await project.exportState(false);
    expect(
      "no password appears in plain text in the exported state",
      ![rootPw, app1, app2, rw0, rw1, rw2, cache0, cache1, cache2, sk, superPw].some((s) => state.text.includes(s)),
    );

    say("pulumi refresh, then pulumi destroy");
    r = await project.run(["refresh", "--yes"]);
    showCli(r);
    expect("pulumi refresh found no drift", r.code === 0 && /4 unchanged/.test(r.stdout));
    r = await project.run(["destroy", "--yes"]);
    showCli(r);
    expect("pulumi destroy succeeded (the passwords stay as they are on the servers)", r.code === 0);
  } finally {
    say("Stopping what the demo started");
    await project?.cleanup();
    await emu?.stop();
    await milvus?.stop();
    await cassandra?.destroy();
    await redis?.destroy();
    note("Milvus, Cassandra, Redis, the emulator and the temporary state are gone");
  }
  console.log(
    failures === 0 ? "\nDemo finished: every check passed." : `\nDemo finished with ${failures} failed check(s).`,
  );
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`\nDemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
