/**
 * Values as they cross the plugin's gRPC boundary. The plugin accepts secrets, so Pulumi
 * sends every secret as `{ <sig>: SECRET_SIG, value }` and trusts the plugin to send it back
 * the same way: a check that returned a secret input unwrapped, or an output not wrapped,
 * would be written to state in plaintext. During a preview an input computed from another
 * resource arrives as the unknown sentinel string.
 *
 * `decode` turns an incoming struct into the plain value the lifecycle works on, noting which
 * paths were secret and which unknown; `encode` wraps the given paths again (and puts the
 * unknowns back). Paths are dotted (`connection.password`).
 */

/** The key that marks a special value, and its value for a secret. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** What Pulumi sends for a value that is not known yet (a preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Plain = unknown;

export interface Decoded {
  /** The value with secrets unwrapped and unknowns left out. */
  value: Record<string, Plain>;
  /** Paths whose value arrived as a secret. */
  secrets: Set<string>;
  /** Paths whose value is unknown (left out of `value`). */
  unknowns: Set<string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export function decode(struct: Record<string, unknown> | undefined): Decoded {
  const secrets = new Set<string>();
  const unknowns = new Set<string>();
  const walk = (v: unknown, path: string): { keep: boolean; value?: unknown } => {
    if (v === UNKNOWN) {
      unknowns.add(path);
      return { keep: false };
    }
    if (isObject(v) && v[SIG_KEY] === SECRET_SIG) {
      secrets.add(path);
      return walk(v.value, path);
    }
    if (Array.isArray(v)) {
      return { keep: true, value: v.map((e, i) => walk(e, `${path}[${i}]`).value ?? null) };
    }
    if (isObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) {
        const r = walk(e, path ? `${path}.${k}` : k);
        if (r.keep) out[k] = r.value;
      }
      return { keep: true, value: out };
    }
    return { keep: true, value: v };
  };
  const value = (walk(struct ?? {}, "").value ?? {}) as Record<string, Plain>;
  return { value, secrets, unknowns };
}

export function secret(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/**
 * `value` with each of `secretPaths` that is present wrapped as a secret, and each of
 * `unknowns` set to the unknown sentinel. Wrapping a path also covers what is below it.
 */
export function encode(
  value: Record<string, unknown>,
  secretPaths: Iterable<string>,
  unknowns: Iterable<string> = [],
): Record<string, unknown> {
  const out = structuredClone(value) as Record<string, unknown>;
  for (const path of unknowns) setAt(out, path, () => UNKNOWN, true);
  // Deepest first, so that wrapping a parent does not hide a child's path.
  const paths = [...new Set(secretPaths)].sort((a, b) => b.split(".").length - a.split(".").length);
  for (const path of paths) setAt(out, path, (v) => (isObject(v) && v[SIG_KEY] === SECRET_SIG ? v : secret(v)));
  return out;
}

/** Replaces the value at a dotted path (array steps as `[i]`) with `f(value)`; absent paths are skipped. */
function setAt(root: Record<string, unknown>, path: string, f: (v: unknown) => unknown, create = false): void {
  const steps = path.split(/\.|(?=\[)/).map((s) => (s.startsWith("[") ? Number(s.slice(1, -1)) : s));
  let node: unknown = root;
  for (let i = 0; i < steps.length - 1; i++) {
    const parent = node as Record<string | number, unknown>;
    let next = parent[steps[i]];
    if (isObject(next) && next[SIG_KEY] === SECRET_SIG) next = next.value;
    if (next === undefined && create) parent[steps[i]] = next = {};
    if (!next || typeof next !== "object") return;
    node = next;
  }
  const parent = node as Record<string | number, unknown>;
  const last = steps[steps.length - 1];
  if (parent[last] === undefined && !create) return;
  parent[last] = f(parent[last]);
}

/** Whether `a` is `b`, or one of them lies below the other (`connection` and `connection.address`). */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}
