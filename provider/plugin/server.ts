/**
 * The `ResourceProvider` gRPC service of the dbpasswords plugin: Pulumi's calls mapped onto
 * each resource's lifecycle (the same `operations` modules the dynamic classes use). What
 * this face adds is what a plugin owes Pulumi and a dynamic provider cannot give:
 * secrets kept secret across the boundary (values.ts), a diff that names the properties that
 * change, a preview with unknown inputs, a schema, and reads without state (`pulumi import`).
 *
 * Nothing here knows a resource: resources.ts is the table from type token to spec and
 * operations, handed in by main.ts.
 */
import * as grpc from "@grpc/grpc-js";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type { ResourceEntry } from "./resources";
import { decode, encode, overlaps } from "./values";
import { operationEnded, operationStarted, pulumiArgument, usePulumiAddress, watchPulumi } from "../shared/orphan";
import { joinHostPort } from "../shared/address";
import type { FieldSpec, FieldType, ResourceSpec } from "../shared/spec";

/* eslint-disable @typescript-eslint/no-require-imports */
const structpb =
  require("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb");
const emptypb =
  require("google-protobuf/google/protobuf/empty_pb") as typeof import("google-protobuf/google/protobuf/empty_pb");
const pb = require("@pulumi/pulumi/proto/provider_pb") as typeof ProviderPb;
const pluginpb = require("@pulumi/pulumi/proto/plugin_pb") as typeof import("@pulumi/pulumi/proto/plugin_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb") as { ResourceProviderService: grpc.ServiceDefinition };
/* eslint-enable @typescript-eslint/no-require-imports */

type Obj = Record<string, unknown>;
type Call<Req> = { request: Req };
type Callback<Res> = (err: grpc.ServiceError | Partial<grpc.StatusObject> | null, res?: Res) => void;

const toJs = (s: Struct | undefined): Obj => (s ? (s.toJavaScript() as Obj) : {});
const toStruct = (v: Obj) => structpb.Struct.fromJavaScript(v as Parameters<typeof structpb.Struct.fromJavaScript>[0]);
const typeOfUrn = (urn: string) => urn.split("::")[2] ?? "";

/** The spec of the field at a dotted path, through object types. */
function fieldAt(spec: ResourceSpec, path: string): FieldSpec | undefined {
  const [head, ...rest] = path.split(".");
  let field: FieldSpec | undefined = spec.inputs[head] ?? spec.outputs[head] ?? spec.state?.[head];
  for (const step of rest) {
    const type: FieldType | undefined = field?.type;
    field = typeof type === "object" && "object" in type ? spec.types[type.object]?.properties[step] : undefined;
  }
  return field;
}

/**
 * An error Pulumi shows as the operation's failure; the message is already free of secrets.
 * An error that carries what the resource is now (`partial`: a change made, then its proof
 * failed) goes as Pulumi's initialization failure, so that Pulumi records those outputs
 * (`encode` wraps their secrets) and still fails the operation.
 */
function failure(err: unknown, encode?: (props: Obj) => Struct): Partial<grpc.StatusObject> {
  const details = err instanceof Error ? err.message : String(err);
  const partial = err as { id?: string; properties?: Obj; reasons?: string[] };
  if (!encode || !partial?.id || !partial.properties) return { code: grpc.status.UNKNOWN, details };
  /* eslint-disable @typescript-eslint/no-require-imports */
  const statuspb = require("@pulumi/pulumi/proto/status_pb");
  const anypb = require("google-protobuf/google/protobuf/any_pb");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const init = new pb.ErrorResourceInitFailed()
    .setId(partial.id)
    .setProperties(encode(partial.properties))
    .setReasonsList(partial.reasons ?? [details]);
  const any = new anypb.Any();
  any.pack(init.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new statuspb.Status().setCode(grpc.status.UNKNOWN).setMessage(details);
  status.addDetails(any);
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code: grpc.status.UNKNOWN, details, metadata };
}

/** Marks an error thrown by a create or update with how to encode the outputs it may carry. */
class OperationFailure extends Error {
  constructor(
    readonly original: unknown,
    readonly encode: (props: Obj) => Struct,
  ) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/**
 * How long a message to Pulumi's Log service may take. The operation waits for it (so that a
 * note shows before the step ends), but a CLI that does not answer must not hold the
 * operation: past this the message is dropped and the operation goes on.
 */
export const LOG_DEADLINE_MS = 5000;

/**
 * Messages for the user (say, why a rotation is due) go to Pulumi's Log service (the CLI's
 * `Engine` service in Pulumi's protocol), which shows them in the CLI's diagnostics under the
 * resource: a plugin's own stdout is not shown.
 */
class PulumiLog {
  private client?: {
    log: (req: unknown, options: { deadline: number }, cb: (err: unknown) => void) => void;
    close(): void;
  };
  constructor(
    private readonly address?: string,
    private readonly deadlineMs = LOG_DEADLINE_MS,
  ) {}

  info(urn: string, message: string): Promise<void> {
    return this.log("INFO", urn, message);
  }

  warning(urn: string, message: string): Promise<void> {
    return this.log("WARNING", urn, message);
  }

  private log(severity: "INFO" | "WARNING", urn: string, message: string): Promise<void> {
    if (!this.address) return Promise.resolve();
    /* eslint-disable @typescript-eslint/no-require-imports */
    const logpb = require("@pulumi/pulumi/proto/engine_pb");
    const logrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.client ??= new logrpc.EngineClient(this.address, grpc.credentials.createInsecure());
    const req = new logpb.LogRequest().setSeverity(logpb.LogSeverity[severity]).setMessage(message).setUrn(urn);
    // a message that cannot be delivered, or not in time, is not worth failing or holding the operation for
    return new Promise((resolve) => this.client!.log(req, { deadline: Date.now() + this.deadlineMs }, () => resolve()));
  }
}

/** Runs one call: a handler's error becomes the call's failure, and the orphan watch counts it. */
function unary<Req, Res>(handler: (req: Req) => Promise<Res>) {
  return (call: Call<Req>, callback: Callback<Res>) => {
    operationStarted();
    handler(call.request)
      .then((res) => callback(null, res))
      .catch((err) => callback(err instanceof OperationFailure ? failure(err.original, err.encode) : failure(err)))
      .finally(operationEnded);
  };
}

export interface PluginOptions {
  version: string;
  /** The package schema as JSON text, built on first request. */
  schema: () => string;
  /** The resource of a type token (resources.ts; the benchmark's floor plugin has its own). */
  resourceOf: (typeToken: string) => ResourceEntry | undefined;
  /** Pulumi's address, for its Log service (serve passes the plugin's argument). */
  pulumiAddress?: string;
  /** How long one message to Pulumi's Log service may take (LOG_DEADLINE_MS). */
  logDeadlineMs?: number;
}

/** The service implementation, keyed as grpc-js expects (methods left out answer UNIMPLEMENTED). */
export function providerService(options: PluginOptions) {
  const entry = (urn: string): ResourceEntry => {
    const found = options.resourceOf(typeOfUrn(urn));
    if (!found) throw new Error(`unknown resource type ${typeOfUrn(urn)}`);
    return found;
  };
  /** Outputs as Pulumi must see them: every secret field, and every path that came in secret, wrapped. */
  const outputs = (e: ResourceEntry, props: Obj, secrets: Iterable<string> = [], unknowns: Iterable<string> = []) =>
    toStruct(encode(props, [...e.secretPaths, ...secrets], unknowns));
  const pulumiLog = new PulumiLog(options.pulumiAddress, options.logDeadlineMs);

  return {
    getPluginInfo: unary(async () => new pluginpb.PluginInfo().setVersion(options.version)),

    getSchema: unary(async (req: ProviderPb.GetSchemaRequest) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      return new pb.GetSchemaResponse().setSchema(options.schema());
    }),

    // The package has no provider configuration: every resource says where to go.
    checkConfig: unary(async (req: ProviderPb.CheckRequest) => new pb.CheckResponse().setInputs(req.getNews())),
    diffConfig: unary(async () => new pb.DiffResponse().setChanges(pb.DiffResponse.DiffChanges.DIFF_NONE)),
    // Previews are supported so that a value the update will make (a generated password) shows
    // as unknown in the preview, rather than as an output that goes away.
    configure: unary(async () =>
      new pb.ConfigureResponse()
        .setAcceptsecrets(true)
        .setSupportspreview(true)
        .setAcceptresources(false)
        .setAcceptoutputs(false),
    ),

    check: unary(async (req: ProviderPb.CheckRequest) => {
      const e = entry(req.getUrn());
      const news = decode(toJs(req.getNews()));
      const olds = decode(toJs(req.getOlds()));
      const result = await e.operations().check(olds.value, news.value, [...news.unknowns]);
      const resp = new pb.CheckResponse();
      // Inputs go back as they came: secret where they were secret or the spec says so, unknown where unknown.
      resp.setInputs(
        toStruct(encode((result.inputs ?? news.value) as Obj, [...e.secretPaths, ...news.secrets], news.unknowns)),
      );
      resp.setFailuresList(
        (result.failures ?? []).map((f) => new pb.CheckFailure().setProperty(f.property).setReason(f.reason)),
      );
      return resp;
    }),

    diff: unary(async (req: ProviderPb.DiffRequest) => {
      const e = entry(req.getUrn());
      const olds = decode(toJs(req.getOlds()));
      const news = decode(toJs(req.getNews()));
      const result = await e.operations().diff(req.getId(), olds.value, news.value);
      for (const note of result.notes ?? []) await pulumiLog.info(req.getUrn(), note);
      const replaces = new Set(result.replaces ?? []);
      const updates = new Set(result.diffs ?? []);
      // An input not known yet (a preview) may change anything it feeds: identity fields replace.
      for (const path of news.unknowns) (fieldAt(e.spec, path)?.replaces ? replaces : updates).add(path);
      for (const r of replaces) for (const u of updates) if (overlaps(r, u)) updates.delete(u);
      const resp = new pb.DiffResponse();
      const changes = replaces.size + updates.size > 0 || result.changes === true;
      resp.setChanges(changes ? pb.DiffResponse.DiffChanges.DIFF_SOME : pb.DiffResponse.DiffChanges.DIFF_NONE);
      resp.setReplacesList([...replaces]);
      resp.setStablesList(result.stables ?? []);
      resp.setDeletebeforereplace(result.deleteBeforeReplace ?? false);
      const detailed = resp.getDetaileddiffMap();
      const kind = pb.PropertyDiff.Kind;
      for (const p of replaces) detailed.set(p, new pb.PropertyDiff().setKind(kind.UPDATE_REPLACE).setInputdiff(true));
      // Pulumi shows a change as the old value against the new *inputs*. A change the inputs
      // carry (a given password, a trigger, rotatedAt stamped by check) shows as such. One only
      // the outputs carry (a generated password, the active user) would show as a value that
      // goes away, so it is named only when the inputs carry no change at all: drift, shown by
      // a refresh as `passwordVerified: true => false`.
      const inInputs = (p: string) => p.split(".")[0] in news.value || news.unknowns.has(p);
      const named = [...updates].some(inInputs) ? [...updates].filter(inInputs) : [...updates];
      for (const p of named) detailed.set(p, new pb.PropertyDiff().setKind(kind.UPDATE).setInputdiff(inInputs(p)));
      resp.setDiffsList([...new Set([...replaces, ...named].map((p) => p.split(".")[0]))]);
      resp.setHasdetaileddiff(true);
      return resp;
    }),

    create: unary(async (req: ProviderPb.CreateRequest) => {
      const e = entry(req.getUrn());
      const inputs = decode(toJs(req.getProperties()));
      if (req.getPreview()) {
        // What the resource will hold: its inputs, and every output they do not give, not known yet.
        const computed = Object.keys(e.spec.outputs).filter((k) => !(k in inputs.value) && !inputs.unknowns.has(k));
        return new pb.CreateResponse().setProperties(
          outputs(e, inputs.value, inputs.secrets, [...inputs.unknowns, ...computed]),
        );
      }
      const result = await e
        .operations()
        .create(inputs.value)
        .catch((err) => {
          throw new OperationFailure(err, (props) => outputs(e, props, inputs.secrets));
        });
      for (const note of result.notes ?? []) await pulumiLog.warning(req.getUrn(), note);
      return new pb.CreateResponse().setId(result.id).setProperties(outputs(e, result.outs as Obj, inputs.secrets));
    }),

    read: unary(async (req: ProviderPb.ReadRequest) => {
      const e = entry(req.getUrn());
      const state = decode(toJs(req.getProperties()));
      const inputs = decode(toJs(req.getInputs()));
      const resp = new pb.ReadResponse();
      if (Object.keys(state.value).length === 0) {
        // No state: `pulumi import` adopting an existing user or instance by its id.
        const adopted = await e.operations().adopt(req.getId());
        if (!adopted) return resp.setId("");
        return resp
          .setId(adopted.id)
          .setProperties(outputs(e, adopted.props as Obj))
          .setInputs(toStruct(encode(adopted.inputs as Obj, e.secretPaths)));
      }
      const result = await e.operations().read(req.getId(), state.value);
      if (!result.id || !result.props) return resp.setId("");
      // The inputs stay as they were (refresh reports drift in the outputs).
      resp.setId(result.id).setProperties(outputs(e, result.props as Obj, state.secrets));
      if (req.getInputs()) resp.setInputs(toStruct(encode(inputs.value, [...e.secretPaths, ...inputs.secrets])));
      return resp;
    }),

    update: unary(async (req: ProviderPb.UpdateRequest) => {
      const e = entry(req.getUrn());
      const olds = decode(toJs(req.getOlds()));
      const news = decode(toJs(req.getNews()));
      if (req.getPreview()) {
        // The state after the update: the new inputs over the old outputs, and what the update
        // changes without an input saying how (a generated password) not known yet.
        const changing = (await e.operations().diff(req.getId(), olds.value, news.value)).diffs ?? [];
        const made = changing.filter((k) => !(k in news.value) && (k in e.spec.outputs || k in (e.spec.state ?? {})));
        return new pb.UpdateResponse().setProperties(
          outputs(e, { ...olds.value, ...news.value }, [...olds.secrets, ...news.secrets], [...news.unknowns, ...made]),
        );
      }
      const result = await e
        .operations()
        .update(req.getId(), olds.value, news.value)
        .catch((err) => {
          throw new OperationFailure(err, (props) => outputs(e, props, news.secrets));
        });
      for (const note of result.notes ?? []) await pulumiLog.warning(req.getUrn(), note);
      return new pb.UpdateResponse().setProperties(outputs(e, result.outs as Obj, news.secrets));
    }),

    delete: unary(async (req: ProviderPb.DeleteRequest) => {
      const e = entry(req.getUrn());
      await e.operations().remove(req.getId(), decode(toJs(req.getProperties())).value);
      return new emptypb.Empty();
    }),

    cancel: unary(async () => new emptypb.Empty()),
  };
}

/**
 * Serves the provider as Pulumi expects of a plugin: a gRPC server on a free loopback port,
 * whose number is the first line of stdout (the CLI reads it from there). The CLI's address
 * is the first argument after the CLI's own flags; an orphaned plugin (its CLI gone, say
 * after it was killed) ends itself, as the dynamic provider host does
 * (shared/orphan.ts). Resolves with the port.
 */
export async function serve(options: PluginOptions, args: string[]): Promise<number> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  const pulumi = pulumiArgument(args);
  const pulumiAddress = pulumi && joinHostPort(pulumi.host, pulumi.port);
  server.addService(
    provrpc.ResourceProviderService,
    providerService({ pulumiAddress, ...options }) as unknown as grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  if (pulumi) {
    usePulumiAddress(pulumi);
    watchPulumi(pulumi);
  }
  process.stdout.write(`${port}\n`);
  return port;
}
