/**
 * Scheduled rotation (`rotateAfterDays` or `rotationSchedule`, `rotationTimeZone`,
 * `rotationWindowMinutes`; `rotatedAt`, `nextRotationAt`), the same for every resource. The
 * calendar itself (when a moment is due, windows, daylight saving time) is calendar.ts.
 *
 * `rotatedAt` is when the resource last set the password, RFC 3339 UTC to the second. It is
 * kept in the outputs and, put there by `check`, in the inputs too: Pulumi shows an input
 * that changes in the preview (`[diff: ~rotatedAt]`), while a dynamic provider's diff cannot
 * name a property by itself. So `check` decides: it carries the previous `rotatedAt` forward,
 * or stamps the time of this run when the password is about to be set (a new password, a new
 * `rotationTrigger`, a new user or instance, or a schedule that is due, in its window when it
 * has one). Diff and update then see the stamp as a change of `rotatedAt`, and know from the
 * same rule, asked at the stamp's time (the time check decided at), whether the schedule is
 * what asks for a new password: a window that closes between check and update does not undo a
 * rotation check began.
 *
 * `nextRotationAt` is put into the inputs by check too, from `rotatedAt` and the schedule only:
 * it changes when the password is set or the schedule changes, never because time passes, so
 * a run that waits for a window shows no change, and an overdue rotation shows a past time.
 *
 * With `rotateAfterDays` a day is 86,400 seconds of UTC: month ends, leap days and daylight
 * saving time change nothing. A run up to five minutes before the due time counts as due, so
 * that a nightly pipeline whose start time drifts by a little (or whose clock is a few seconds
 * behind) does not put the rotation off by a whole day; the same holds for every scheduled
 * moment (calendar.ts).
 */
import { type CheckFailure, compact } from "./check";
import { ConfigError } from "./errors";
import {
  DAY_MS,
  EARLY_TOLERANCE_MS,
  type RotationCalendar,
  type RotationStatus,
  type Window,
  hasSchedule,
  nextRotation,
  rotationStatus,
  showMoment,
} from "./calendar";

export { DAY_MS, EARLY_TOLERANCE_MS };

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

/** When a password set at `rotatedAt` is due again after `days` days, in ms since the epoch. */
export function dueAt(rotatedAt: string, days: number): number | undefined {
  const at = parseTimestamp(rotatedAt);
  return at === undefined ? undefined : nextRotation({ rotateAfterDays: days }, at);
}

/** Whether `rotateAfterDays` asks for a new password at `now` (no window). */
export function isDue(rotatedAt: unknown, days: number | undefined, now: number): boolean {
  const at = parseTimestamp(rotatedAt);
  if (days === undefined || at === undefined) return false;
  return rotationStatus({ rotateAfterDays: days }, at, now)?.due ?? false;
}

/** What every scheduled resource's inputs hold for this module. */
export interface Scheduled extends RotationCalendar {
  password?: string;
  rotatedAt?: string;
  nextRotationAt?: string;
}

/** The schedule as the inputs hold it, for the calendar (only its own fields). */
function calendarOf(inputs: Scheduled): RotationCalendar {
  const { rotateAfterDays, rotationSchedule, rotationTimeZone, rotationWindowMinutes } = inputs;
  return { rotateAfterDays, rotationSchedule, rotationTimeZone, rotationWindowMinutes };
}

/** What the schedule of `news` says at `now` of a password set at `rotatedAt`. */
function statusOf(news: Scheduled, rotatedAt: string | undefined, now: number): RotationStatus | undefined {
  const at = parseTimestamp(rotatedAt);
  return at === undefined ? undefined : rotationStatus(calendarOf(news), at, now);
}

/** `nextRotationAt` for the inputs: the first scheduled moment after `rotatedAt`. */
export function nextRotationAt(news: Scheduled, rotatedAt: string | undefined): string | undefined {
  const at = parseTimestamp(rotatedAt);
  const next = at === undefined ? undefined : nextRotation(calendarOf(news), at);
  return next === undefined ? undefined : timestamp(new Date(next));
}

/** The schedule in a message: "rotateAfterDays 90", "rotationSchedule "0 2 * * 0#1" in Europe/Berlin". */
export function describeSchedule(news: Scheduled): string {
  if (news.rotationSchedule !== undefined) {
    return `rotationSchedule "${news.rotationSchedule}" in ${news.rotationTimeZone ?? "UTC"}`;
  }
  return `rotateAfterDays ${news.rotateAfterDays}`;
}

/** A window in a message: "2027-04-04T00:00:00Z (2027-04-04 02:00 Europe/Berlin) for 120 minutes". */
function describeWindow(window: Window, news: Scheduled): string {
  return `${showMoment(window.opens, news.rotationTimeZone)} for ${news.rotationWindowMinutes} minutes`;
}

/**
 * The inputs of a schedule that do not go together, as check failures naming both fields:
 * two schedules, a time zone or a window with nothing to apply to.
 */
export function scheduleConflicts(news: Scheduled): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (news.rotationSchedule !== undefined && news.rotateAfterDays !== undefined) {
    failures.push({
      property: "rotationSchedule",
      reason:
        "and rotateAfterDays are both set: give one of them (rotateAfterDays counts days since rotatedAt, " +
        "rotationSchedule follows a calendar)",
    });
  }
  if (news.rotationTimeZone !== undefined && news.rotationSchedule === undefined) {
    failures.push({
      property: "rotationTimeZone",
      reason: "applies to rotationSchedule, which is not set (rotateAfterDays counts days of UTC)",
    });
  }
  if (news.rotationWindowMinutes !== undefined && !hasSchedule(news)) {
    failures.push({
      property: "rotationWindowMinutes",
      reason: "needs a schedule: set rotationSchedule or rotateAfterDays",
    });
  }
  return failures;
}

/**
 * The `rotatedAt` the new inputs carry, or the failure that stops the run: a due schedule
 * for a password given in config (a given password cannot be invented). A due schedule with a
 * window is acted on only within it: outside, `rotatedAt` stays and diff says what waits.
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
  if (previous === undefined) return { rotatedAt: hasSchedule(news) ? stamp : undefined };
  // Decided at the stamp's time (whole seconds), as diff and update decide again from the stamp.
  if (!statusOf(news, previous, parseTimestamp(stamp)!)?.rotates) return { rotatedAt: previous };
  if (news.password !== undefined) {
    return {
      rotatedAt: previous,
      failure: {
        property: "password",
        reason:
          `is due for rotation (set ${previous}, ${describeSchedule(news)}) and is given in config: ` +
          "set a new secret for it, or omit password to have one generated",
      },
    };
  }
  return { rotatedAt: stamp };
}

/**
 * The end of every resource's check: the inputs with `rotatedAt` carried forward or stamped,
 * `nextRotationAt` from it, and the failures of schedule inputs that do not go together or of
 * a due schedule for a given password. `replaced`: the resource's identity changes (a new
 * user, instance...), which sets the password too.
 */
export function withSchedule<T extends Scheduled & { rotationTrigger?: string }>(
  inputs: T,
  old: Partial<T> | undefined,
  replaced: boolean,
  now = new Date(),
): { inputs: T; failures?: CheckFailure[] } {
  const conflicts = scheduleConflicts(inputs);
  if (conflicts.length > 0)
    return { inputs: compact({ ...inputs } as Record<string, unknown>) as T, failures: conflicts };
  const setsPassword =
    !!old && (replaced || inputs.password !== old.password || inputs.rotationTrigger !== old.rotationTrigger);
  const schedule = scheduleCheck(old, inputs, setsPassword, now);
  const checked = compact({
    ...inputs,
    rotatedAt: schedule.rotatedAt,
    nextRotationAt: nextRotationAt(inputs, schedule.rotatedAt),
  } as unknown as Record<string, unknown>) as T;
  return schedule.failure ? { inputs: checked, failures: [schedule.failure] } : { inputs: checked };
}

/**
 * Whether this update rotates because the schedule is due: the inputs carry a new stamp and
 * the schedule, asked at the stamp's time (when check decided), rotates a password set at the
 * previous one. (A stamp on a stack from before rotatedAt only starts the clock.)
 */
export function scheduledRotation(olds: Scheduled, news: Scheduled): boolean {
  const stampedAt = parseTimestamp(news.rotatedAt);
  return (
    stampedAt !== undefined &&
    news.rotatedAt !== olds.rotatedAt &&
    (statusOf(news, olds.rotatedAt, stampedAt)?.rotates ?? false)
  );
}

/**
 * What a run outside every window of a due schedule says (check kept `rotatedAt`, so nothing
 * changes): that the rotation waits, and when the next window opens. Undefined otherwise.
 */
export function waitingRotation(
  olds: Scheduled,
  news: Scheduled,
  now: number,
): { status: RotationStatus; rotatedAt: string } | undefined {
  if (news.rotatedAt === undefined || news.rotatedAt !== olds.rotatedAt) return undefined;
  const status = statusOf(news, news.rotatedAt, now);
  return status?.due && !status.rotates ? { status, rotatedAt: news.rotatedAt } : undefined;
}

/**
 * The properties an update changes about the password, for diff: `rotationTrigger` when it
 * changed; `password` when a new one is given, or generated for a new trigger or a due
 * schedule; `rotatedAt` when check stamped a new one and `nextRotationAt` when check's differs
 * (inputs that did not pass check have neither). A due rotation also gets a note that says
 * why, for the preview's diagnostics: Pulumi cannot tell why rotatedAt changes; so does a
 * due rotation that waits for its window (no change). `what` names the resource
 * ("MilvusUserPassword <id>"); `now` is the time a waiting rotation is judged at.
 */
export function passwordDiff(
  what: string,
  olds: Scheduled & { password?: string; rotationTrigger?: string },
  news: Scheduled & { rotationTrigger?: string },
  replacing: boolean,
  now = Date.now(),
): { changed: string[]; notes: string[] } {
  const changed: string[] = [];
  const triggered = news.rotationTrigger !== olds.rotationTrigger;
  if (triggered) changed.push("rotationTrigger");
  const scheduled = scheduledRotation(olds, news);
  const generated = news.password === undefined && (triggered || scheduled);
  if ((news.password !== undefined && news.password !== olds.password) || generated) changed.push("password");
  if (news.rotatedAt !== undefined && news.rotatedAt !== olds.rotatedAt) changed.push("rotatedAt");
  // a stack from before nextRotationAt gets it stored once; a schedule removed takes it away
  if (news.rotatedAt !== undefined && (news.nextRotationAt ?? null) !== (olds.nextRotationAt ?? null)) {
    changed.push("nextRotationAt");
  }
  if (replacing) return { changed, notes: [] };
  if (scheduled) return { changed, notes: [dueMessage(what, olds, news)] };
  const waiting = waitingRotation(olds, news, now);
  return { changed, notes: waiting ? [waitMessage(what, news, waiting.status)] : [] };
}

/**
 * A diff's answer: the dynamic provider's fields; `diffs`, the properties an update changes
 * (the plugin names them); `notes`, what the user should read in the preview (each face
 * delivers them: the dynamic provider prints them, the plugin logs them to Pulumi).
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
  const scheduled = scheduledRotation(olds, news);
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
  const stampedAt = parseTimestamp(news.rotatedAt);
  const status = stampedAt === undefined ? undefined : statusOf(news, olds.rotatedAt, stampedAt);
  const due =
    news.rotationSchedule !== undefined && status ? `, due at ${showMoment(status.next, news.rotationTimeZone)}` : "";
  const window = status?.window ? `, in the window that opened at ${describeWindow(status.window, news)}` : "";
  const sets = news.password !== undefined ? "sets the new password from config" : "sets a new generated password";
  const schedule = `last set ${olds.rotatedAt}, ${describeSchedule(news)}${due}${window}`;
  return `${what}: the password is due for rotation (${schedule}): this update ${sets}`;
}

/** The line the preview and the update print for a due rotation outside every window. */
export function waitMessage(what: string, news: Scheduled, status: RotationStatus): string {
  const next = status.waitsFor
    ? `the next window, which opens at ${describeWindow(status.waitsFor, news)}`
    : "a next window, which the schedule does not have";
  return (
    `${what}: the password is due for rotation (last set ${news.rotatedAt}, ${describeSchedule(news)}, due at ` +
    `${showMoment(status.next, news.rotationTimeZone)}) and waits for ${next}: this run changes nothing`
  );
}
