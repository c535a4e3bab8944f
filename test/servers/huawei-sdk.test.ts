/**
 * Huawei's official Node.js SDK for the service (@huaweicloud/huaweicloud-sdk-gaussdbfornosql,
 * a devDependency) as an oracle: run against the emulator, it resets the password and queries
 * the instance with requests the emulator accepts, and our client sends the same request
 * (method, path, query, body bytes, Content-Type, X-Project-Id, the headers it signs). The
 * SDK's region list is ours. And the emulator checks a signature over the bytes it received,
 * as the API gateway does.
 */
import * as assert from "assert";
import { createHash, createHmac } from "crypto";
import * as http from "http";
import { GeminiDbEmulator, TEST_INSTANCE, TEST_PROJECT, startEmulator } from "../../harness/geminidb-emulator";
import { KNOWN_REGIONS, defaultEndpoint } from "../../provider/geminidb/regions";

/* eslint-disable @typescript-eslint/no-require-imports */
const nosql = require("@huaweicloud/huaweicloud-sdk-gaussdbfornosql");
const { BasicCredentials } = require("@huaweicloud/huaweicloud-sdk-core");
const { GaussDBforNoSQLRegion } = require("@huaweicloud/huaweicloud-sdk-gaussdbfornosql/v3/GaussDBforNoSQLRegion");
// the lifecycle as the provider host runs it
const ops: typeof import("../../provider/geminidb/operations") = require("pulumi-db-passwords/dist/geminidb/operations");
/* eslint-enable @typescript-eslint/no-require-imports */

const AK = "SDKORACLEACCESS1";
const SK = "Sdk-oracle-secret/1";

describe("Huawei's official GeminiDB SDK against the emulator, and our client beside it", function () {
  this.timeout(60000);
  let emu: GeminiDbEmulator;

  beforeEach(async () => {
    emu = await startEmulator((e) => e.akSk.set(AK, { sk: SK }));
  });
  afterEach(async () => emu.stop());

  const sdkClient = () =>
    nosql.GaussDBforNoSQLClient.newBuilder()
      .withCredential(new BasicCredentials().withAk(AK).withSk(SK).withProjectId(TEST_PROJECT))
      .withEndpoint(emu.url)
      .build();

  /** The request as the emulator received it, without what differs by time (date, signature). */
  const shape = (got: GeminiDbEmulator["received"][number]) => ({
    route: got.route,
    body: got.body,
    contentType: String(got.headers["content-type"]).split(";")[0],
    projectId: got.headers["x-project-id"],
    signed: /SignedHeaders=([^,\s]+)/.exec(String(got.headers.authorization))?.[1].split(";"),
  });

  it("the SDK's ResetPassword succeeds, and our client sends the same request", async () => {
    const request = new nosql.ResetPasswordRequest()
      .withInstanceId(TEST_INSTANCE)
      .withBody(new nosql.ResetPasswordRequestBody().withPassword("Sdk-oracle~Pw1"));
    await sdkClient().resetPassword(request);
    assert.strictEqual(emu.instances.get(TEST_INSTANCE)!.password, "Sdk-oracle~Pw1");
    const sdkPut = emu.received.find((r) => r.route === "password.put")!;

    emu.received.length = 0;
    process.env.HW_ACCESS_KEY = AK;
    process.env.HW_SECRET_KEY = SK;
    try {
      await ops.create({
        region: "eu-west-101",
        projectId: TEST_PROJECT,
        instanceId: TEST_INSTANCE,
        endpoint: emu.url,
        iamEndpoint: emu.url,
        password: "Sdk-oracle~Pw1",
      });
    } finally {
      delete process.env.HW_ACCESS_KEY;
      delete process.env.HW_SECRET_KEY;
    }
    const ours = emu.received.find((r) => r.route === "password.put")!;
    assert.deepStrictEqual(shape(ours), shape(sdkPut));
  });

  it("the SDK's ListInstances by id is answered, as our instance query is", async () => {
    const listed = await sdkClient().listInstances(new nosql.ListInstancesRequest().withId(TEST_INSTANCE));
    assert.strictEqual(listed.instances?.[0]?.id, TEST_INSTANCE);
    assert.strictEqual(listed.instances?.[0]?.datastore?.type, "Cassandra");
  });

  it("our region list and public endpoints are the SDK's", () => {
    const sdk = Object.values(GaussDBforNoSQLRegion)
      .filter((r: any) => r && typeof r.id === "string" && Array.isArray(r.endpoints))
      .map((r: any) => ({ region: r.id, endpoint: r.endpoints[0] }))
      .sort((a, b) => a.region.localeCompare(b.region));
    assert.ok(sdk.length > 20, "the SDK's region list was not found");
    assert.deepStrictEqual(
      [...KNOWN_REGIONS]
        .map((region) => ({ region, endpoint: defaultEndpoint(region) }))
        .sort((a, b) => a.region.localeCompare(b.region)),
      sdk,
    );
  });

  /** Sends a PUT signed over `signedBody` whose body is `sentBody`. */
  async function signedPut(signedBody: string, sentBody: string): Promise<number> {
    const url = new URL(`${emu.url}/v3/${TEST_PROJECT}/instances/${TEST_INSTANCE}/password`);
    const date = new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    const headers: Record<string, string> = {
      "content-type": "application/json",
      host: url.host,
      "x-project-id": TEST_PROJECT,
      "x-sdk-date": date,
    };
    const names = Object.keys(headers).sort();
    const hex = (s: string) => createHash("sha256").update(s).digest("hex");
    const canonical = [
      "PUT",
      `${url.pathname}/`,
      "",
      names.map((n) => `${n}:${headers[n]}\n`).join(""),
      names.join(";"),
      hex(signedBody),
    ].join("\n");
    const signature = createHmac("sha256", SK)
      .update(`SDK-HMAC-SHA256\n${date}\n${hex(canonical)}`)
      .digest("hex");
    return new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: "PUT",
        headers: {
          ...headers,
          authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
        },
      });
      req.on("response", (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on("error", reject);
      req.end(sentBody);
    });
  }

  it("the emulator checks a signature over the bytes received: spaces are fine, another body is refused", async () => {
    const spaced = '{ "password" : "Raw-bytes~Pw1" }';
    assert.strictEqual(await signedPut(spaced, spaced), 204, "a correctly signed body with spaces");
    assert.strictEqual(
      await signedPut('{"password":"Raw-bytes~Pw1"}', spaced),
      401,
      "a body other than the one signed",
    );
  });
});
