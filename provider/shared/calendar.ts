/**
 * The calendar of scheduled rotation, pure: every function is told the time it asks about.
 * provider/shared/schedule.ts decides with it what check stamps and what diff and update see.
 *
 * A schedule is a list of moments. `rotateAfterDays`: `rotatedAt` plus that many days of 86,400
 * seconds, then every day at that time (the openings of its windows). `rotationSchedule`: the
 * moments of a cron expression in `rotationTimeZone` (UTC by default), read by croner with the
 * rules cron users know from Vixie cron: a moment in the hour a spring change skips happens at
 * the first minute after the gap, a moment in the hour an autumn change repeats happens once
 * (at its first occurrence); a pattern with a wildcard or a step in its minute or hour field
 * (`*\/30 2 * * *`) is an interval and keeps both occurrences of a repeated hour. Day of month
 * and day of week both restricted means either (`0 2 1-7 * 0` is "days 1 to 7, and every
 * Sunday"); "the first Sunday" is `0 2 * * 0#1`.
 *
 * - Due: a scheduled moment after the last rotation has come. The next one, `nextRotationAt`,
 *   depends on `rotatedAt` and the schedule only, never on the time of asking, so a run that
 *   changes nothing shows no change, and an overdue rotation shows a past time.
 * - Early tolerance: a run up to five minutes before a moment counts as at it (as it always
 *   has for `rotateAfterDays`), so that a pipeline started at the moment by a clock a little
 *   behind does not put the rotation off to the next moment. For a cron schedule this is why
 *   the next moment is the first one more than five minutes after `rotatedAt`: a rotation
 *   made early for a moment is never made again for that moment.
 * - Window (`rotationWindowMinutes`): a due rotation happens only in a run that starts within
 *   W minutes after a scheduled moment (from five minutes before it). A run outside every window
 *   waits for the next one; one rotation serves every moment it missed.
 *
 * croner loads only when a cron schedule is evaluated: provider processes that never meet one
 * (refresh, destroy, resources without a schedule) never load it.
 */
import type { Cron } from "croner";

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
/** How much earlier than a scheduled moment a run still counts as at it. */
export const EARLY_TOLERANCE_MS = 5 * MINUTE_MS;

/** The inputs of a schedule, as every resource has them. */
export interface RotationCalendar {
  rotateAfterDays?: number;
  rotationSchedule?: string;
  rotationTimeZone?: string;
  rotationWindowMinutes?: number;
}

/** The shortcuts a schedule may be, besides five fields (those of Vixie cron, less @reboot). */
export const CRON_SHORTCUTS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

let croner: typeof import("croner") | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cronModule = () => (croner ??= require("croner") as typeof import("croner"));

/** Compiled patterns by zone and text: a check and a diff of N resources ask about the same few. */
const compiled = new Map<string, Cron>();

/** The pattern's moments (throws croner's error for a pattern it does not read). */
function cronOf(pattern: string, timeZone: string | undefined): Cron {
  const key = `${timeZone ?? ""}\n${pattern}`;
  let cron = compiled.get(key);
  if (!cron) {
    const text = pattern.trim();
    if (text.startsWith("@") && !CRON_SHORTCUTS.includes(text.toLowerCase())) {
      throw new Error(`the shortcuts are ${CRON_SHORTCUTS.join(", ")}`);
    }
    // No callback: croner evaluates only, it starts no timer.
    cron = new (cronModule().Cron)(text, {
      timezone: timeZone,
      // five fields and the shortcuts: no seconds, no years
      mode: "5-part",
      // Vixie cron's rule: a job is an interval job only when its minute or hour has a wildcard or step
      fixedTimeRule: "no-wildcard",
      // day of month and day of week both given: either one (Vixie cron, POSIX)
      domAndDow: false,
    });
    if (compiled.size > 256) compiled.clear();
    compiled.set(key, cron);
  }
  return cron;
}

/** The first moment of a cron schedule at or after `t` (ms), if it has one. */
function cronAtOrAfter(cron: Cron, t: number): number | undefined {
  // croner's nextRun is strictly after its reference; moments are whole minutes
  return cron.nextRun(new Date(t - 1))?.getTime();
}

/**
 * Why a cron schedule is refused, or undefined when it is fine. The text names the rule, never
 * the value (check failures never echo an input).
 */
export function scheduleProblem(pattern: string, now: number): string | undefined {
  const fields = pattern.trim().split(/\s+/).filter(Boolean);
  const shortcut = fields.length === 1 && fields[0].startsWith("@");
  if (!shortcut && fields.length !== 5) {
    return (
      `must be five fields (minute hour day-of-month month day-of-week), or one of ${CRON_SHORTCUTS.join(", ")}; ` +
      `this has ${fields.length}`
    );
  }
  let cron: Cron;
  try {
    cron = cronOf(pattern, undefined);
  } catch (err) {
    // croner's reason without its "CronPattern:" prefix and without the pattern it quotes
    const reason = String((err as Error).message ?? err)
      .replace(/^\w+:\s*/, "")
      .split(pattern.trim())
      .join("the pattern");
    return `is not a cron expression: ${reason}`;
  }
  // Five fields repeat within 28 years, or never (30 February).
  if (cronAtOrAfter(cron, now) === undefined) return "matches no date (a day that no month has?)";
  return undefined;
}

/** Why a time zone is refused, or undefined: an IANA name the runtime knows (`Europe/Berlin`, `UTC`). */
export function timeZoneProblem(zone: string): string | undefined {
  const reason = "must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC";
  // names only: Intl also takes offsets ("+01:00") on newer Node versions, which have no DST rules
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return reason;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return undefined;
  } catch {
    return reason;
  }
}

/** The moments of a schedule from the first one after a rotation on, or undefined without one. */
interface Moments {
  /** The first moment after the rotation: when the next one is due (`nextRotationAt`). */
  first: number;
  /** The first moment at or after `t` (and not before `first`), if any. */
  atOrAfter(t: number): number | undefined;
}

function momentsOf(calendar: RotationCalendar, rotatedAt: number): Moments | undefined {
  if (typeof calendar.rotationSchedule === "string") {
    let cron: Cron;
    try {
      cron = cronOf(calendar.rotationSchedule, calendar.rotationTimeZone);
      // a zone the runtime does not know fails at the first evaluation
      const first = cronAtOrAfter(cron, rotatedAt + EARLY_TOLERANCE_MS + 1);
      if (first === undefined) return undefined;
      return { first, atOrAfter: (t) => cronAtOrAfter(cron, Math.max(t, first)) };
    } catch {
      return undefined; // check refuses such a schedule; nothing is due on it
    }
  }
  const days = calendar.rotateAfterDays;
  if (typeof days !== "number" || !Number.isFinite(days)) return undefined;
  const first = rotatedAt + days * DAY_MS;
  return { first, atOrAfter: (t) => (t <= first ? first : first + Math.ceil((t - first) / DAY_MS) * DAY_MS) };
}

/** Whether the inputs name a schedule at all (a cron expression or a number of days). */
export function hasSchedule(calendar: RotationCalendar): boolean {
  return calendar.rotationSchedule !== undefined || calendar.rotateAfterDays !== undefined;
}

/** When a password set at `rotatedAt` (ms) is due again, or undefined without a schedule. */
export function nextRotation(calendar: RotationCalendar, rotatedAt: number): number | undefined {
  return momentsOf(calendar, rotatedAt)?.first;
}

/** A rotation window: from a scheduled moment, for `rotationWindowMinutes`. */
export interface Window {
  opens: number;
  closes: number;
}

/** What a schedule says at `now` about a password set at `rotatedAt` (both in ms). */
export interface RotationStatus {
  /** When the rotation is due (`nextRotationAt`). */
  next: number;
  /** A scheduled moment since `rotatedAt` has come (within the early tolerance). */
  due: boolean;
  /** Due, and in a window (or without windows): a run starting now rotates. */
  rotates: boolean;
  /** The window this run is in, with a window. */
  window?: Window;
  /** Due and in no window: the next one, if the schedule has one. */
  waitsFor?: Window;
}

/** What the schedule says at `now`; undefined without a schedule (or with one check refuses). */
export function rotationStatus(calendar: RotationCalendar, rotatedAt: number, now: number): RotationStatus | undefined {
  const moments = momentsOf(calendar, rotatedAt);
  if (!moments) return undefined;
  const next = moments.first;
  if (now + EARLY_TOLERANCE_MS < next) return { next, due: false, rotates: false };
  const minutes = calendar.rotationWindowMinutes;
  if (typeof minutes !== "number") return { next, due: true, rotates: true };
  const length = minutes * MINUTE_MS;
  const windowOf = (opens: number): Window => ({ opens, closes: opens + length });
  // The earliest moment whose window has not closed: this run is in it unless it opens later.
  const open = moments.atOrAfter(now - length + 1);
  if (open !== undefined && open <= now + EARLY_TOLERANCE_MS) {
    return { next, due: true, rotates: true, window: windowOf(open) };
  }
  return { next, due: true, rotates: false, ...(open !== undefined ? { waitsFor: windowOf(open) } : {}) };
}

/**
 * A moment as a person of the schedule's zone reads it too: "2027-04-04T00:00:00Z (2027-04-04 02:00
 * Europe/Berlin)" with a zone other than UTC, else the UTC time alone.
 */
export function showMoment(ms: number, timeZone?: string): string {
  const utc = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (!timeZone || timeZone === "UTC" || timeZone === "Etc/UTC") return utc;
  try {
    const local = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(ms));
    return `${utc} (${local.replace(",", "")} ${timeZone})`;
  } catch {
    return utc;
  }
}
