import * as assert from "assert";
import * as net from "net";
import {
  PulumiAddress,
  operationEnded,
  operationStarted,
  pulumiAddress,
  pulumiGone,
  resetPulumiWatch,
  watchPulumi,
} from "../../provider/shared/orphan";

const HOST = "/work/app/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";

async function listening(): Promise<{ server: net.Server; address: PulumiAddress }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, address: { host: "127.0.0.1", port: (server.address() as net.AddressInfo).port } };
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("orphan watch: the Pulumi CLI that started a provider process", () => {
  describe("pulumiAddress", () => {
    const cases: Array<[string, string[], PulumiAddress | undefined]> = [
      ["the dynamic provider host", ["node", HOST, "127.0.0.1:40123"], { host: "127.0.0.1", port: 40123 }],
      [
        "the host by its folder",
        ["node", HOST.replace(/\/index\.js$/, ""), "127.0.0.1:9"],
        { host: "127.0.0.1", port: 9 },
      ],
      ["a reference after the address", ["node", HOST, "127.0.0.1:40123", "x"], { host: "127.0.0.1", port: 40123 }],
      ["IPv6", ["node", HOST, "[::1]:40123"], { host: "::1", port: 40123 }],
      ["no host", ["node", HOST, ":40123"], { host: "127.0.0.1", port: 40123 }],
      [
        "a Windows path",
        ["node.exe", "C:\\app\\node_modules\\@pulumi\\pulumi\\cmd\\dynamic-provider\\index.js", "127.0.0.1:7"],
        { host: "127.0.0.1", port: 7 },
      ],
      ["a Pulumi program", ["node", "/app/node_modules/@pulumi/pulumi/cmd/run/index.js", "127.0.0.1:40123"], undefined],
      ["mocha", ["node", "/repo/node_modules/.bin/mocha", "test/unit/orphan.test.ts"], undefined],
      [
        "after the CLI's logging and tracing flags",
        ["node", HOST, "--logtostderr", "-v=9", "--tracing", "127.0.0.1:4317", "127.0.0.1:40963"],
        { host: "127.0.0.1", port: 40963 },
      ],
      [
        "after --tracing=endpoint",
        ["node", HOST, "--tracing=127.0.0.1:4317", "127.0.0.1:5"],
        { host: "127.0.0.1", port: 5 },
      ],
      ["no address", ["node", HOST], undefined],
      ["flags only", ["node", HOST, "--logtostderr", "-v=9"], undefined],
      ["not an address", ["node", HOST, "localhost"], undefined],
      ["port out of range", ["node", HOST, "127.0.0.1:70000"], undefined],
    ];
    for (const [name, argv, want] of cases) {
      it(`${name} → ${want ? `${want.host}:${want.port}` : "none"}`, () => {
        assert.deepStrictEqual(pulumiAddress(argv), want);
      });
    }
    it("this test process has no Pulumi", () => assert.strictEqual(pulumiAddress(), undefined));
  });

  describe("pulumiGone", () => {
    it("is false while Pulumi's port accepts connections, true once it refuses them", async () => {
      const { server, address } = await listening();
      assert.strictEqual(await pulumiGone(address), false);
      await close(server);
      assert.strictEqual(await pulumiGone(address), true);
    });
  });

  describe("watchPulumi", () => {
    beforeEach(resetPulumiWatch);
    afterEach(resetPulumiWatch);

    it("ends the process once Pulumi is gone, and only then", async () => {
      const { server, address } = await listening();
      let exits = 0;
      const timer = watchPulumi(address, () => exits++, 20);
      try {
        assert.ok(timer, "watching");
        await sleep(150);
        assert.strictEqual(exits, 0, "Pulumi is there");
        await close(server);
        await sleep(150);
        assert.strictEqual(exits, 1);
      } finally {
        clearInterval(timer);
      }
    });

    it("waits until no operation of ours is running", async () => {
      const { server, address } = await listening();
      let exits = 0;
      const timer = watchPulumi(address, () => exits++, 20);
      try {
        operationStarted();
        await close(server);
        await sleep(150);
        assert.strictEqual(exits, 0, "an operation is still running");
        operationEnded();
        await sleep(150);
        assert.strictEqual(exits, 1);
      } finally {
        clearInterval(timer);
      }
    });

    it("starts once per process, and not at all without Pulumi", async () => {
      const { server, address } = await listening();
      const first = watchPulumi(address, () => undefined, 20);
      try {
        assert.ok(first);
        assert.strictEqual(
          watchPulumi(address, () => undefined, 20),
          undefined,
        );
        resetPulumiWatch();
        assert.strictEqual(
          watchPulumi(undefined, () => undefined, 20),
          undefined,
        );
      } finally {
        clearInterval(first);
        await close(server);
      }
    });
  });
});
