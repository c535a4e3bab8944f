/**
 * The plugin driven the way the engine drives it: `bin/pulumi-resource-dbpasswords` started as
 * a process, its port read from the first line of stdout, its ResourceProvider service called
 * over a real gRPC connection with Pulumi's own message classes. Values go in and come back
 * as the engine's JavaScript form of a protobuf Struct (secrets as signature objects).
 */
import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { Daemon, startDaemon } from "../../harness/daemon";
import { REPO_ROOT } from "../../harness/tools";

/* eslint-disable @typescript-eslint/no-require-imports */
const pb = require("@pulumi/pulumi/proto/provider_pb");
const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const structpb = require("google-protobuf/google/protobuf/struct_pb");
const emptypb = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

export const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const secret = (value: unknown) => ({ ...SECRET_SIG, value });
export const isSecret = (v: any) =>
  v?.["4dabf18193072939515e22adb298388d"] === SECRET_SIG["4dabf18193072939515e22adb298388d"];

export function urn(type: string, name = "r"): string {
  return `urn:pulumi:test::proj::${type}::${name}`;
}

export interface DiffAnswer {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  diffs: string[];
  detailed: Record<string, { kind: string; inputDiff: boolean }>;
}

const KINDS = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"];

export class PluginClient {
  private constructor(
    private readonly plugin: Daemon,
    private readonly client: any,
    /** Everything the plugin wrote to stdout after its port, and to stderr. */
    readonly output: { readonly text: string },
  ) {}

  static async start(env: NodeJS.ProcessEnv = {}): Promise<PluginClient> {
    return PluginClient.spawned(path.join(REPO_ROOT, "bin", "pulumi-resource-dbpasswords"), [], env);
  }

  static startWith(nodeArgs: string[]): Promise<PluginClient> {
    return PluginClient.spawned(process.execPath, nodeArgs, {});
  }

  private static async spawned(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<PluginClient> {
    const plugin = await startDaemon({
      name: "the plugin",
      command,
      args,
      env,
      readyWhen: "print its port",
      ready: (d) => d.output.stdout.includes("\n"),
      readyTimeoutMs: 60000,
      pollMs: 20,
      graceMs: 0,
    });
    const seen = plugin.output;
    const port = Number(seen.stdout.slice(0, seen.stdout.indexOf("\n")));
    const output = {
      get text() {
        return seen.stdout.slice(seen.stdout.indexOf("\n") + 1) + seen.stderr;
      },
    };
    const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PluginClient(plugin, client, output);
  }

  stop(): void {
    this.client.close();
    void this.plugin.stop();
  }

  private call<T>(method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
      this.client[method](req, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res))),
    );
  }

  async schema(): Promise<any> {
    const res: any = await this.call("getSchema", new pb.GetSchemaRequest());
    return JSON.parse(res.getSchema());
  }

  async version(): Promise<string> {
    const res: any = await this.call("getPluginInfo", new emptypb.Empty());
    return res.getVersion();
  }

  async check(
    type: string,
    olds: object,
    news: object,
  ): Promise<{ inputs: any; failures: Array<{ property: string; reason: string }> }> {
    const req = new pb.CheckRequest()
      .setUrn(urn(type))
      .setOlds(structpb.Struct.fromJavaScript(olds))
      .setNews(structpb.Struct.fromJavaScript(news));
    const res: any = await this.call("check", req);
    return {
      inputs: res.getInputs()?.toJavaScript(),
      failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(type: string, id: string, olds: object, news: object): Promise<DiffAnswer> {
    const req = new pb.DiffRequest()
      .setUrn(urn(type))
      .setId(id)
      .setOlds(structpb.Struct.fromJavaScript(olds))
      .setNews(structpb.Struct.fromJavaScript(news));
    const res: any = await this.call("diff", req);
    const detailed: DiffAnswer["detailed"] = {};
    res.getDetaileddiffMap().forEach((v: any, k: string) => {
      detailed[k] = { kind: KINDS[v.getKind()], inputDiff: v.getInputdiff() };
    });
    return {
      changes: (["unknown", "none", "some"] as const)[res.getChanges()],
      replaces: res.getReplacesList(),
      diffs: res.getDiffsList(),
      detailed,
    };
  }

  async create(type: string, props: object): Promise<{ id: string; outs: any }> {
    const req = new pb.CreateRequest().setUrn(urn(type)).setProperties(structpb.Struct.fromJavaScript(props));
    const res: any = await this.call("create", req);
    return { id: res.getId(), outs: res.getProperties().toJavaScript() };
  }

  async read(
    type: string,
    id: string,
    state?: object,
    inputs?: object,
  ): Promise<{ id: string; outs?: any; inputs?: any }> {
    const req = new pb.ReadRequest().setUrn(urn(type)).setId(id);
    if (state) req.setProperties(structpb.Struct.fromJavaScript(state));
    if (inputs) req.setInputs(structpb.Struct.fromJavaScript(inputs));
    const res: any = await this.call("read", req);
    return { id: res.getId(), outs: res.getProperties()?.toJavaScript(), inputs: res.getInputs()?.toJavaScript() };
  }

  async update(type: string, id: string, olds: object, news: object): Promise<any> {
    const req = new pb.UpdateRequest()
      .setUrn(urn(type))
      .setId(id)
      .setOlds(structpb.Struct.fromJavaScript(olds))
      .setNews(structpb.Struct.fromJavaScript(news));
    const res: any = await this.call("update", req);
    return res.getProperties().toJavaScript();
  }

  async delete(type: string, id: string, props: object): Promise<void> {
    const req = new pb.DeleteRequest().setUrn(urn(type)).setId(id).setProperties(structpb.Struct.fromJavaScript(props));
    await this.call("delete", req);
  }
}
