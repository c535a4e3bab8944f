/**
 * The faults the harness's test servers can be scripted with, in one vocabulary: the Milvus
 * gRPC server (harness/milvus-grpc), the GeminiDB emulator (harness/geminidb-emulator) and the
 * hold proxy in front of a real database (harness/hold-proxy). A kind means the same on
 * every server; each server takes the kinds its protocol has (`FaultOf`). Faults are queued per
 * method or route and consumed one per call.
 */
import type { status as GrpcStatus } from "@grpc/grpc-js";

/** Every fault; `Status` is the error answer of a server's own protocol (the `status` kind). */
export type Fault<Status = never> =
  // ---- time and connection: the same on every protocol
  /** Waits `ms`, then acts and answers normally. */
  | { kind: "delay"; ms: number }
  /** Acts, then answers only after `ms` (the client times out after the server acted). */
  | { kind: "applyThenDelay"; ms: number }
  /** Never acts and never answers (the client times out before the server acts). */
  | { kind: "hang" }
  /** Acts, then never answers (the client times out after the server acted). */
  | { kind: "applyThenHang" }
  /** Resets the client's connection before acting. */
  | { kind: "drop" }
  /** Acts, then resets the connection instead of answering. */
  | { kind: "applyThenDrop" }
  /** Answers success without acting. */
  | { kind: "fakeSuccess" }
  /**
   * Answers success at once and acts `ms` later: a database that takes the new password a
   * moment after the API answered (replication, auth caches).
   */
  | { kind: "applyLater"; ms: number }
  /** Answers with this error of the server's protocol and does not act. */
  | ({ kind: "status" } & Status)
  // ---- gRPC
  /** UNAVAILABLE before acting. */
  | { kind: "unavailable" }
  /** Fails the call with this gRPC status and does not act. */
  | { kind: "grpc"; code: GrpcStatus; details: string }
  /** A server that does not implement the RPC: gRPC UNIMPLEMENTED (the Milvus SDK reads `{}`). */
  | { kind: "empty" }
  /**
   * Acts and answers, then restarts: every client connection is reset, new ones are refused
   * for `downMs` (the server is down), then accepted again; what the server holds is kept.
   */
  | { kind: "restartAfter"; downMs: number }
  // ---- HTTP
  /** Answers a redirect to `location` (307 unless `status`), without acting. */
  | { kind: "redirect"; location: string; status?: number }
  /** Answers 401 "token expires" for the token the call carries (it expired early). */
  | { kind: "expireToken" }
  /** Answers this status and raw body, without acting. */
  | { kind: "body"; status: number; body: string };

/** The name of every fault. */
export type FaultKind = Fault<unknown>["kind"];

/** The faults a server takes: the kinds `K`, with its protocol's error answer `Status`. */
export type FaultOf<K extends FaultKind, Status = never> = Extract<Fault<Status>, { kind: K }>;
