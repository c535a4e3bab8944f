/**
 * zod fields every resource uses, with messages that never echo the value. Bounds come from the
 * spec's field (shared/spec.ts), whose text states them: one place for both.
 */
import { z } from "zod";
import { CREDENTIALS_CACHE_MS, FieldSpec, SCHEDULE_INPUTS } from "./spec";
import { scheduleProblem, timeZoneProblem } from "./calendar";
import { HOST_PORT, portInRange, portOf } from "./address";

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

/** A timeout field of a spec (`timeoutSpec`): whole milliseconds within its bounds. */
export const millisecondsOf = (field: FieldSpec) => millisecondsField(field.min!, field.max!);

const DAYS = SCHEDULE_INPUTS.rotateAfterDays;

/** Days between scheduled rotations: a whole number within the spec's bounds (1 to 3650). */
export const rotateAfterDaysField = z
  .number({ error: "must be a number of days" })
  .int({ error: "must be a whole number of days" })
  .min(DAYS.min, { error: `must be at least ${DAYS.min} (day)` })
  .max(DAYS.max, { error: `must be at most ${DAYS.max} (days)` });

/**
 * A cron expression of five fields or a shortcut (`@monthly`), read by croner (calendar.ts, which
 * loads it only for a schedule that is set). The reason names the rule, never the value.
 */
export const rotationScheduleField = z.string({ error: "must be a string" }).superRefine((pattern, ctx) => {
  const problem = scheduleProblem(pattern, Date.now());
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** An IANA time zone name that the runtime's Intl knows. */
export const rotationTimeZoneField = z.string({ error: "must be a string" }).superRefine((zone, ctx) => {
  const problem = timeZoneProblem(zone);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const WINDOW = SCHEDULE_INPUTS.rotationWindowMinutes;

/** Minutes of a rotation window: a whole number within the spec's bounds (1 to 10080). */
export const rotationWindowMinutesField = z
  .number({ error: "must be a number of minutes" })
  .int({ error: "must be a whole number of minutes" })
  .min(WINDOW.min, { error: `must be at least ${WINDOW.min} (minute)` })
  .max(WINDOW.max, { error: `must be at most ${WINDOW.max} (minutes: a week)` });

/** The schedule's inputs, the same on every resource (which go together: schedule.ts). */
export const scheduleFields = {
  rotationTrigger: rotationTriggerField.optional(),
  rotateAfterDays: rotateAfterDaysField.optional(),
  rotationSchedule: rotationScheduleField.optional(),
  rotationTimeZone: rotationTimeZoneField.optional(),
  rotationWindowMinutes: rotationWindowMinutesField.optional(),
};

/**
 * An address of `form` (shared/address.ts: HOST_PORT, URL_ADDRESS), its port, when it gives
 * one, within 1..65535; `typeError` for a value that is no string, `formError` for one not of
 * the form.
 */
export function addressField(form: RegExp, typeError: string, formError: string) {
  return z
    .string({ error: typeError })
    .regex(form, { error: formError })
    .refine(
      (a) => {
        const port = portOf(a, form);
        return port === undefined || portInRange(Number(port));
      },
      { error: "port must be between 1 and 65535" },
    );
}

/** A database node's address: host or host:port (the resource gives the default port). */
export const cqlAddressField = addressField(HOST_PORT, "is required and must be a string", "must be host or host:port");

/** A PEM certificate (a CA to trust for TLS). */
export const pemCertificateField = z
  .string({ error: "must be a string" })
  .refine((pem) => /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(pem), {
    error: "must be a PEM certificate (-----BEGIN CERTIFICATE----- ...)",
  });

/**
 * The fields of a CQL endpoint that say which nodes a proof logs in on (shared/spec.ts's
 * cqlClusterFields): node addresses as `address` takes them (at most 100), whether to discover
 * more, and the nodes' credentials cache.
 */
export const cqlClusterSchemaFields = {
  nodes: z
    .array(cqlAddressField, { error: "must be a list of addresses" })
    .max(100, { error: "must list at most 100 nodes" })
    .optional(),
  discoverNodes: z.boolean({ error: "must be true or false" }).optional(),
  credentialsCacheMs: millisecondsField(CREDENTIALS_CACHE_MS.min, CREDENTIALS_CACHE_MS.max).optional(),
};
