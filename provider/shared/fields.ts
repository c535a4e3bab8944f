/** zod fields both resources use, with messages that never echo the value. */
import { z } from "zod";

/** A whole number of milliseconds within [min, max]. */
export function millisecondsField(min: number, max: number) {
  return z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

/**
 * Any string; a change rotates the password (a new one is generated when `password` is omitted).
 * A number is taken as its decimal text: in YAML `rotationTrigger: 2027` or a config value of
 * `2027` arrives as a number.
 */
export const rotationTriggerField = z
  .union([z.string(), z.number().refine(Number.isFinite)], { error: "must be a string" })
  .transform((v) => String(v));

/** Days between scheduled rotations: a whole number from 1 to 3650. */
export const rotateAfterDaysField = z
  .number({ error: "must be a number of days" })
  .int({ error: "must be a whole number of days" })
  .min(1, { error: "must be at least 1 (day)" })
  .max(3650, { error: "must be at most 3650 (days)" });
