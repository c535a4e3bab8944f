/**
 * What each step of the soak does, decided by a seeded PRNG and nothing else: which stack (face),
 * which resources rotate and how, which faults strike and when. Step k's plan comes from a PRNG
 * seeded with (seed, k) alone, and the only thing a plan depends on besides its PRNG is which
 * resources have a password given in config, which the plans of steps 1..k-1 decide. So
 * `--seed S --from-step K` plans step K exactly as the full run did, on fresh servers and stacks
 * set up in the modes step K found (what the servers answer and when still differs: timing).
 */
import { createHash } from "crypto";

/** A small fast PRNG (sfc32), seeded from a string through SHA-256. */
export class Rng {
  private s: Uint32Array;

  constructor(seed: string) {
    const h = createHash("sha256").update(seed).digest();
    this.s = new Uint32Array([h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)]);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t / 2 ** 32;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** One of `weights`' keys, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let r = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1][0];
  }

  /** `n` distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }

  /** `len` letters and digits. */
  word(len: number): string {
    const chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    return Array.from({ length: len }, () => chars[Math.floor(this.next() * chars.length)]).join("");
  }
}

/** The two faces: the TypeScript program (dynamic resources) and the Python program (the plugin). */
export type Face = "ts" | "py";
export const FACES: readonly Face[] = ["ts", "py"];

/** The resources of each stack, by config key; harness/soak/ts-program and python-program declare them. */
export type ResourceKey =
  "milvusA" | "milvusB" | "milvusPair" | "cassandraA" | "cassandraB" | "cassandraPair" | "geminiA" | "geminiB";

export interface ResourceInfo {
  key: ResourceKey;
  /** The resource's name in the program. */
  name: string;
  db: "milvus" | "cassandra" | "gemini";
  /** Two identities taking turns (standbyUser / standbyRole): always generated. */
  pair: boolean;
  /** GeminiDB: the proof engine, per face (only one instance's rwuser can be the Cassandra role rwuser). */
  proof?: Record<Face, "cql" | "redis">;
}

export const RESOURCES: readonly ResourceInfo[] = [
  { key: "milvusA", name: "milvus-a", db: "milvus", pair: false },
  { key: "milvusB", name: "milvus-b", db: "milvus", pair: false },
  { key: "milvusPair", name: "milvus-pair", db: "milvus", pair: true },
  { key: "cassandraA", name: "cassandra-a", db: "cassandra", pair: false },
  { key: "cassandraB", name: "cassandra-b", db: "cassandra", pair: false },
  { key: "cassandraPair", name: "cassandra-pair", db: "cassandra", pair: true },
  { key: "geminiA", name: "gemini-a", db: "gemini", pair: false, proof: { ts: "cql", py: "redis" } },
  { key: "geminiB", name: "gemini-b", db: "gemini", pair: false, proof: { ts: "redis", py: "redis" } },
];

export const resourceInfo = (key: ResourceKey): ResourceInfo => RESOURCES.find((r) => r.key === key)!;

/**
 * How a resource is rotated: a new password given in config (`pulumi config set --secret`); a new
 * `rotationTrigger` with no password in config (generated); its `rotateAfterDays` made due by
 * moving `rotatedAt` back in state (generated).
 */
export type RotationKind = "config" | "trigger" | "schedule";

/** Faults that stop a process of the run. */
export const PROCESS_FAULTS = ["kill-provider", "kill-plugin", "cli-sigint", "cli-sigterm", "cli-sigkill"] as const;
/** Faults of what the run talks to. */
export const ENV_FAULTS = [
  "restart-milvus",
  "restart-redis",
  "restart-cassandra",
  "proxy-drop",
  "proxy-stall",
  "emulator-5xx",
  "emulator-429",
  "emulator-timeout",
] as const;
export type ProcessFaultKind = (typeof PROCESS_FAULTS)[number];
export type EnvFaultKind = (typeof ENV_FAULTS)[number];
export type FaultKind = ProcessFaultKind | EnvFaultKind;
export const FAULT_KINDS: readonly FaultKind[] = [...PROCESS_FAULTS, ...ENV_FAULTS];

/**
 * When a fault strikes: `fraction` of the face's usual `pulumi up` time after the up starts, or
 * `window`: once the database has taken `target`'s new password and its answer is held (the
 * proxy forwarded the change and holds what comes back; the emulator applied the reset and
 * delays its 204).
 */
export type Timing = { fraction: number } | { window: ResourceKey };

export interface ProcessFault {
  kind: ProcessFaultKind;
  timing: Timing;
}

export interface EnvFault {
  kind: EnvFaultKind;
  /** Restarts: when; proxy faults: at the change of `target`; emulator faults: the next resets. */
  fraction?: number;
  target?: ResourceKey;
  /** proxy-stall: the change never reaches the database ("hang"), or is applied and its answer never comes. */
  stall?: "hang" | "applyThenHang";
  /** emulator-5xx / emulator-429: how many answers in a row. */
  count?: number;
  /** emulator-5xx: the status. */
  status?: number;
}

export interface Rotation {
  key: ResourceKey;
  kind: RotationKind;
  /** `config`: the new password. */
  password?: string;
}

export interface StepPlan {
  step: number;
  face: Face;
  /** The value every rotated resource's trigger gets (`trigger`). */
  trigger: string;
  rotations: Rotation[];
  process?: ProcessFault;
  env: EnvFault[];
}

/** Which resources of each face have a password given in config. */
export type Modes = Record<Face, Record<ResourceKey, "given" | "generated">>;

/** The modes stacks start in: the `A` resources with a password from config, the others generated. */
export function initialModes(): Modes {
  const one = () =>
    Object.fromEntries(RESOURCES.map((r) => [r.key, r.key.endsWith("A") ? "given" : "generated"])) as Record<
      ResourceKey,
      "given" | "generated"
    >;
  return { ts: one(), py: one() };
}

/** A password given in config: every kind of character each database's rule wants, unique per step. */
function givenPassword(rng: Rng, step: number): string {
  return `Sk-${step}~${rng.word(4)}${rng.int(10, 99)}${rng.word(3)}`;
}

/** The hold proxy a resource's database traffic goes through (GeminiDB's resets go to the emulator). */
export function proxyOf(key: ResourceKey): "milvus" | "cassandra" | undefined {
  const db = resourceInfo(key).db;
  return db === "gemini" ? undefined : db;
}

/**
 * Plans step `step` given the modes it starts in (which it updates). `options.faultRate` scales
 * how often faults come (1: the default mix; the short test run uses more, to meet every kind).
 */
export function planStep(seed: string, step: number, modes: Modes, options: { faultRate?: number } = {}): StepPlan {
  const rng = new Rng(`${seed}/${step}`);
  const rate = options.faultRate ?? 1;
  const face = rng.pick(FACES);
  const count = rng.int(2, 5);
  const keys = rng.sample(
    RESOURCES.map((r) => r.key),
    count,
  );
  const trigger = `s${step}`;
  const rotations: Rotation[] = keys.map((key) => {
    const info = resourceInfo(key);
    let kind: RotationKind = info.pair
      ? rng.pick(["trigger", "schedule"] as const)
      : rng.weighted({ config: 2, trigger: 1, schedule: 1 });
    // a schedule rotates only a generated password (a given one would fail the check, as documented)
    if (kind === "schedule" && modes[face][key] === "given") kind = "trigger";
    const password = kind === "config" ? givenPassword(rng, step) : undefined;
    modes[face][key] = kind === "config" ? "given" : "generated";
    return { key, kind, password };
  });

  let process: ProcessFault | undefined;
  const processKind = rng.weighted({
    none: 3 / rate,
    kill: 2,
    "cli-sigint": 1.5,
    "cli-sigterm": 1.5,
    "cli-sigkill": 2,
  });
  const inWindow = rng.chance(0.5);
  const windowTarget = rng.pick(keys);
  const fraction = 0.03 + rng.next() * 0.67;
  if (processKind !== "none") {
    process = {
      kind: processKind === "kill" ? (face === "ts" ? "kill-provider" : "kill-plugin") : processKind,
      timing: inWindow ? { window: windowTarget } : { fraction },
    };
  }

  // Faults of what the run talks to, each about a resource this step rotates.
  const rotated = (db: ResourceInfo["db"], proof?: "cql" | "redis") =>
    keys.filter((k) => resourceInfo(k).db === db && (!proof || resourceInfo(k).proof?.[face] === proof));
  // one armed pattern per proxy: a proxy fault stays off the proxy that holds the window
  const windowProxy = process && "window" in process.timing ? proxyOf(process.timing.window) : undefined;
  const proxied = keys.filter((k) => proxyOf(k) !== undefined && proxyOf(k) !== windowProxy);
  const gemini = rotated("gemini");
  const candidates: Partial<Record<EnvFaultKind, number>> = {};
  if (rotated("milvus").length) candidates["restart-milvus"] = 1;
  if (rotated("gemini", "redis").length) candidates["restart-redis"] = 1;
  if (rotated("cassandra").length || rotated("gemini", "cql").length) candidates["restart-cassandra"] = 0.25;
  if (proxied.length) Object.assign(candidates, { "proxy-drop": 1, "proxy-stall": 1 });
  if (gemini.length) Object.assign(candidates, { "emulator-5xx": 1, "emulator-429": 1, "emulator-timeout": 1 });
  const envCount = Math.min(Object.keys(candidates).length, Number(rng.weighted({ 0: 3 / rate, 1: 4, 2: 2 * rate })));
  const env: EnvFault[] = [];
  for (let i = 0; i < envCount; i++) {
    const kind = rng.weighted(candidates as Record<EnvFaultKind, number>);
    delete candidates[kind];
    const fault: EnvFault = { kind, fraction: 0.03 + rng.next() * 0.67 };
    if (kind === "restart-redis") fault.target = rng.pick(rotated("gemini", "redis"));
    if (kind === "proxy-drop" || kind === "proxy-stall") {
      fault.target = rng.pick(proxied);
      if (kind === "proxy-stall") fault.stall = rng.pick(["hang", "applyThenHang"] as const);
    }
    // 1 to 3 answers in a row, which the provider's retries ride out, or 6: more than it tries
    if (kind === "emulator-5xx") {
      fault.count = rng.pick([1, 1, 2, 3, 6]);
      fault.status = rng.pick([500, 502, 503]);
    }
    if (kind === "emulator-429") fault.count = rng.pick([1, 1, 2, 3, 6]);
    env.push(fault);
  }
  return { step, face, trigger, rotations, process, env };
}

/** The plans of steps `from`..`to` (1-based), and the modes step `from` starts in. */
export function plansFrom(
  seed: string,
  from: number,
  options: { faultRate?: number } = {},
): { modes: Modes; next: () => StepPlan } {
  const modes = initialModes();
  for (let k = 1; k < from; k++) planStep(seed, k, modes, options);
  const start: Modes = JSON.parse(JSON.stringify(modes));
  let k = from;
  return { modes: start, next: () => planStep(seed, k++, modes, options) };
}
