/**
 * provider/shared/tls.ts: the proofs' TLS connections trust the given CA through one
 * SecureContext per CA and process. Against a TLS server on loopback whose certificate one test
 * CA signed: the context is built once and reused, a connection trusting another CA is refused
 * even after the right one's context was built, and the contexts kept stay bounded.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { makeTlsFiles } from "../../harness/tls-files";
import { contextTrusting, trusting } from "../../provider/shared/tls";

describe("TLS trust of the proofs: one SecureContext per CA", () => {
  const dirs: string[] = [];
  let server: tls.Server;
  let port: number;
  let ca: string;
  let otherCa: string;

  before(async () => {
    const files = [0, 1].map(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdp-tls-trust-"));
      dirs.push(dir);
      return makeTlsFiles(dir);
    });
    ca = files[0].caPem;
    otherCa = files[1].caPem;
    server = tls.createServer(
      { cert: fs.readFileSync(files[0].certFile), key: fs.readFileSync(files[0].keyFile) },
      (socket) => socket.end("hello\n"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const connect = (options: tls.ConnectionOptions) =>
    new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: true, ...options });
      let text = "";
      socket.on("data", (d) => (text += d));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });

  it("builds a CA's context once; connections trusting it are verified, one trusting another CA is refused", async () => {
    const first = contextTrusting(ca);
    assert.strictEqual(contextTrusting(ca), first, "the same context for the same CA");
    assert.notStrictEqual(contextTrusting(otherCa), first);
    assert.strictEqual(await connect(trusting(ca)), "hello\n");
    assert.strictEqual(await connect(trusting(ca)), "hello\n");
    await assert.rejects(connect(trusting(otherCa)), (e: NodeJS.ErrnoException) =>
      /certificate|self.signed|UNABLE_TO_VERIFY|verify/i.test(`${e.code} ${e.message}`),
    );
    assert.deepStrictEqual(trusting(undefined), {}, "no CA: the system's roots, as before");
    await assert.rejects(connect(trusting(undefined)), "the test CA is not among the system's roots");
  });

  it("keeps at most 32 contexts, the oldest going first", () => {
    const first = contextTrusting(ca);
    // the same PEM with different trailing text is another key, and parses to the same CA
    for (let i = 0; i < 32; i++) contextTrusting(`${ca}\n# ${i}\n`);
    assert.notStrictEqual(contextTrusting(ca), first, "the oldest was dropped and built anew");
  });
});
