/**
 * A TCP proxy on loopback in front of a real server, to open the window a crash test needs:
 * "the server changed the password, the client has not heard back". Armed with a byte pattern
 * (the base64 of the new password, as it travels in the UpdateCredential/CreateCredential
 * request), it forwards the request that carries it, and from then on holds every byte the
 * server sends to any client, until released. Everything else passes through untouched.
 */
import * as net from "net";

export class HoldProxy {
  private server?: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private pattern?: Buffer;
  private holding = false;
  private onTrigger?: () => void;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair = { client, upstream };
      this.pairs.add(pair);
      let tail = Buffer.alloc(0); // the end of what came before, for patterns split over chunks
      client.on("data", (chunk: Buffer) => {
        upstream.write(chunk);
        if (this.pattern && !this.holding) {
          const seen = Buffer.concat([tail, chunk]);
          if (seen.includes(this.pattern)) {
            this.holding = true;
            this.onTrigger?.();
          }
          tail = seen.subarray(Math.max(0, seen.length - this.pattern.length));
        }
      });
      upstream.on("data", (chunk: Buffer) => {
        if (!this.holding) client.write(chunk); // held bytes are dropped: that client is about to die
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
