/**
 * Scheduled rotation (`rotateAfterDays`, `rotatedAt`), the same for every resource.
 *
 * `rotatedAt` is when the resource last set the password, RFC 3339 UTC to the second. It is
 * kept in the outputs and, put there by `check`, in the inputs too: the engine shows an input
 * that changes in the preview (`[diff: ~rotatedAt]`), while a dynamic provider's diff cannot
 * name a property by itself. So `check` decides: it carries the previous `rotatedAt` forward,
 * or stamps the time of this run when the password is about to be set (a new password, a new
 * `rotationTrigger`, a new user or instance, or a due schedule). Diff and update then see the
 * stamp as a change of `rotatedAt`, and update knows from the same rule whether the schedule
 * is what asks for a new password.
 *
 * A day is 86,400 seconds of UTC: month ends, leap days and daylight saving time change
 * nothing. A run up to five minutes before the due time counts as due, so that a nightly
 * pipeline whose start time drifts by a little (or whose clock is a few seconds behind) does
 * not put the rotation off by a whole day.
 */
import { type CheckFailure, compact } from "./check";
import { ConfigError } from "./errors";

export const DAY_MS = 86_400_000;
/** How much earlier than the due time a run still counts as due. */
export const EARLY_TOLERANCE_MS = 5 * 60_000;

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;

/** `rotatedAt` for a moment: RFC 3339, UTC, whole seconds ("2026-11-25T06:40:12Z"). */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Milliseconds since the epoch of a `rotatedAt`, or undefined when it is not RFC 3339 UTC. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = RFC3339_UTC.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(value);
  // Date.parse rolls 2025-02-30 over to March: a date that does not exist is no timestamp.
  return Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3]) ? undefined : ms;
}

/** When a password set at `rotatedAt` is due again, in ms since the epoch. */
export function dueAt(rotatedAt: string, days: number): number | undefined {
  const at = parseTimestamp(rotatedAt);
  return at === undefined ? undefined : at + days * DAY_MS;
}

/** Whether the schedule asks for a new password at `now`. */
export function isDue(rotatedAt: unknown, days: number | undefined, now: number): boolean {
  if (days === undefined || typeof rotatedAt !== "string") return false;
  const due = dueAt(rotatedAt, days);
  return due !== undefined && now + EARLY_TOLERANCE_MS >= due;
}

/** What every scheduled resource's inputs hold for this module. */
export interface Scheduled {
  password?: string;
  rotateAfterDays?: number;
  rotatedAt?: string;
}

/**
 * The `rotatedAt` the new inputs carry, or the failure that stops the run: a due schedule
 * for a password given in config (a given password cannot be invented).
 *
 * @param olds the previous inputs; undefined on create
 * @param setsPassword whether the run sets the password for another reason (new password,
 *   new rotationTrigger, a replacement)
 */
export function scheduleCheck(
  olds: Scheduled | undefined,
  news: Scheduled,
  setsPassword: boolean,
  now: Date,
): { rotatedAt?: string; failure?: CheckFailure } {
  const stamp = timestamp(now);
  if (!olds || setsPassword) return { rotatedAt: stamp };
  const previous = parseTimestamp(olds.rotatedAt) === undefined ? undefined : olds.rotatedAt;
  // A stack from before rotatedAt existed: a schedule starts its clock now, without rotating.
  if (previous === undefined) return { rotatedAt: news.rotateAfterDays !== undefined ? stamp : undefined };
  if (!isDue(previous, news.rotateAfterDays, now.getTime())) return { rotatedAt: previous };
  if (news.password !== undefined) {
    return {
      rotatedAt: previous,
      failure: {
        property: "password",
        reason:
          `is due for rotation (set ${previous}, rotateAfterDays ${news.rotateAfterDays}) and is given in config: ` +
          "set a new secret for it, or omit password to have one generated",
      },
    };
  }
  return { rotatedAt: stamp };
}

/**
 * The end of every resource's check: the inputs with `rotatedAt` carried forward or stamped,
 * and the failure of a due schedule for a given password. `replaced`: the resource's identity
 * changes (a new user, instance...), which sets the password too.
 */
export function withSchedule<T extends Scheduled & { rotationTrigger?: string }>(
  inputs: T,
  old: Partial<T> | undefined,
  replaced: boolean,
  now = new Date(),
): { inputs: T; failures?: CheckFailure[] } {
  const setsPassword =
    !!old && (replaced || inputs.password !== old.password || inputs.rotationTrigger !== old.rotationTrigger);
  const schedule = scheduleCheck(old, inputs, setsPassword, now);
  const checked = compact({ ...inputs, rotatedAt: schedule.rotatedAt } as unknown as Record<string, unknown>) as T;
  return schedule.failure ? { inputs: checked, failures: [schedule.failure] } : { inputs: checked };
}

/**
 * Whether this update rotates because the schedule is due: the inputs carry a new stamp and
 * the previous one is due. (A stamp on a stack from before rotatedAt only starts the clock.)
 */
export function scheduledRotation(olds: Scheduled, news: Scheduled, now: number): boolean {
  return (
    news.rotatedAt !== undefined &&
    news.rotatedAt !== olds.rotatedAt &&
    parseTimestamp(olds.rotatedAt) !== undefined &&
    isDue(olds.rotatedAt, news.rotateAfterDays, now)
  );
}

/**
 * The properties an update changes about the password, for diff: `rotationTrigger` when it
 * changed; `password` when a new one is given, or generated for a new trigger or a due
 * schedule; `rotatedAt` when check stamped a new one (inputs that did not pass check have
 * none). A due rotation also gets a note that says why, for the preview's diagnostics: the
 * engine cannot tell why rotatedAt changes. `what` names the resource ("MilvusUserPassword <id>").
 */
export function passwordDiff(
  what: string,
  olds: Scheduled & { password?: string; rotationTrigger?: string },
  news: Scheduled & { rotationTrigger?: string },
  replacing: boolean,
): { changed: string[]; notes: string[] } {
  const changed: string[] = [];
  const triggered = news.rotationTrigger !== olds.rotationTrigger;
  if (triggered) changed.push("rotationTrigger");
  const scheduled = scheduledRotation(olds, news, Date.now());
  const generated = news.password === undefined && (triggered || scheduled);
  if ((news.password !== undefined && news.password !== olds.password) || generated) changed.push("password");
  if (news.rotatedAt !== undefined && news.rotatedAt !== olds.rotatedAt) changed.push("rotatedAt");
  return { changed, notes: scheduled && !replacing ? [dueMessage(what, olds, news)] : [] };
}

/**
 * A diff's answer: the dynamic provider's fields; `diffs`, the properties an update changes
 * (the plugin names them); `notes`, what the user should read in the preview (each face
 * delivers them: the dynamic provider prints them, the plugin logs them to the engine).
 */
export interface Diff {
  changes: boolean;
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  notes: string[];
}

/**
 * What an update sets: the given password; else a generated one when `rotationTrigger`
 * changed, the schedule is due or state holds none (an import); else the stored one.
 * `sets`: it differs from the stored one. `rotatedAt` is check's stamp, or (an update
 * reached without check) now when the password changes. A due schedule with an unchanged
 * given password is refused, as check refuses it at preview.
 */
export function passwordForUpdate(
  olds: Scheduled & { password?: string; rotationTrigger?: string },
  news: Scheduled & { rotationTrigger?: string },
  generate: () => string,
  target?: string,
): { password: string; sets: boolean; rotatedAt?: string } {
  const scheduled = scheduledRotation(olds, news, Date.now());
  if (scheduled && news.password !== undefined && news.password === olds.password) {
    throw new ConfigError("password is due for rotation and is given in config: set a new secret for it", {
      operation: "update",
      target,
      property: "password",
    });
  }
  const triggered = news.rotationTrigger !== olds.rotationTrigger;
  // No password in state: an imported resource, whose password the next update sets.
  const password =
    news.password ?? (triggered || scheduled || olds.password === undefined ? generate() : olds.password);
  const sets = password !== olds.password;
  return { password, sets, rotatedAt: news.rotatedAt ?? (sets ? timestamp(new Date()) : olds.rotatedAt) };
}

/** The line the preview prints for a due rotation: what is due, since when, and why. */
export function dueMessage(what: string, olds: Scheduled, news: Scheduled): string {
  return (
    `${what}: the password is due for rotation (last set ${olds.rotatedAt}, rotateAfterDays ` +
    `${news.rotateAfterDays}): this update sets a new generated password`
  );
}
