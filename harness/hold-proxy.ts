/**
 * A TCP proxy on loopback in front of a real server, to open the window a crash test needs:
 * "the server changed the password, the client has not heard back". Armed with a byte pattern
 * (the base64 of the new password, as it travels in the UpdateCredential/CreateCredential
 * request), it forwards the request that carries it, and from then on holds every byte the
 * server sends to any client, until released. Everything else passes through untouched.
 *
 * For the fault matrix it also takes a fault for one connection (`faultOnce`, in the harness's
 * vocabulary: "hang", the request that carries a pattern never reaches the server, or
 * "applyThenHang", its answer never comes back) and counts the requests that carry a pattern
 * (`count`).
 */
import * as net from "net";
import type { FaultOf } from "./faults";

/** The faults the proxy takes, on the next request that carries a pattern. */
export type HoldProxyFault = FaultOf<"hang" | "applyThenHang">;

export class HoldProxy {
  private server?: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private pattern?: Buffer;
  private holding = false;
  private onTrigger?: () => void;
  private fault?: { pattern: Buffer; fault: HoldProxyFault };
  private counting?: Buffer;
  port = 0;
  /** Client connections accepted so far. */
  accepted = 0;
  /** Requests seen carrying the pattern given to `count`. */
  counted = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      this.accepted++;
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair = { client, upstream };
      this.pairs.add(pair);
      let tail = Buffer.alloc(0); // the end of what came before, for patterns split over chunks
      let faulted: HoldProxyFault | undefined; // this connection's fault, once triggered
      client.on("data", (chunk: Buffer) => {
        const seen = Buffer.concat([tail, chunk]);
        const before = tail.length;
        // a pattern counts when it ends in this chunk (one that lay wholly in the tail was seen before)
        const has = (p?: Buffer) => !!p && seen.indexOf(p, Math.max(0, before - p.length + 1)) >= 0;
        tail = seen.subarray(Math.max(0, seen.length - 256));
        if (has(this.counting)) this.counted++;
        if (!faulted && this.fault && has(this.fault.pattern)) {
          faulted = this.fault.fault;
          this.fault = undefined;
        }
        if (faulted?.kind === "hang") return;
        upstream.write(chunk);
        if (this.pattern && !this.holding && has(this.pattern)) {
          this.holding = true;
          this.onTrigger?.();
        }
      });
      upstream.on("data", (chunk: Buffer) => {
        // held bytes are dropped: that client is about to die
        if (!this.holding && !faulted) client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on("close", close);
      upstream.on("close", close);
      client.on("error", close);
      upstream.on("error", close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Resolves once a request carrying `pattern` has been forwarded; answers are held from then on. */
  arm(pattern: Buffer): Promise<void> {
    this.pattern = pattern;
    this.holding = false;
    return new Promise((resolve) => (this.onTrigger = resolve));
  }

  /**
   * The next request that carries `pattern` is not forwarded ("hang": the server never acts),
   * or is forwarded and its connection hears nothing more ("applyThenHang": the server acted,
   * the client never learns it). That client waits for its own timeout; others pass.
   */
  faultOnce(pattern: Buffer, fault: HoldProxyFault): void {
    this.fault = { pattern, fault };
  }

  /** Counts, from now on, the requests that carry `pattern` (in `counted`). */
  count(pattern: Buffer): void {
    this.counting = pattern;
    this.counted = 0;
  }

  /** Passes everything through again; connections opened while holding are closed. */
  release(): void {
    this.pattern = undefined;
    this.onTrigger = undefined;
    if (this.holding) for (const p of this.pairs) p.client.destroy();
    this.holding = false;
  }

  async stop(): Promise<void> {
    for (const p of this.pairs) p.client.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
