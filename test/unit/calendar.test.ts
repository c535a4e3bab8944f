/**
 * The calendar of scheduled rotation (provider/shared/calendar.ts) with a moved clock: when a
 * cron schedule is next due after a rotation, over month ends, leap days and the daylight
 * saving days of 2027 in Europe/Berlin and America/New_York; windows, missed windows and the
 * early tolerance; what is refused; and that croner loads only for a cron schedule.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import {
  DAY_MS,
  EARLY_TOLERANCE_MS,
  MINUTE_MS,
  RotationCalendar,
  nextRotation,
  rotationStatus,
  scheduleProblem,
  showMoment,
  timeZoneProblem,
} from "../../provider/shared/calendar";

const at = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace(".000", ""));

/** The moments a schedule gives one after the other, each one taken as a rotation at that moment. */
function rotations(calendar: RotationCalendar, from: string, n: number): string[] {
  const out: string[] = [];
  let rotatedAt = at(from);
  for (let i = 0; i < n; i++) {
    rotatedAt = nextRotation(calendar, rotatedAt)!;
    out.push(iso(rotatedAt)!);
  }
  return out;
}

describe("rotation calendar: when a cron schedule is next due", () => {
  const table: Array<{ what: string; calendar: RotationCalendar; from: string; next: string[] }> = [
    {
      what: "`0 2 31 * *` comes only in months with a 31st",
      calendar: { rotationSchedule: "0 2 31 * *" },
      from: "2027-01-15T00:00:00Z",
      next: ["2027-01-31T02:00:00Z", "2027-03-31T02:00:00Z", "2027-05-31T02:00:00Z", "2027-07-31T02:00:00Z"],
    },
    {
      what: "`0 0 29 2 *` comes on leap days only",
      calendar: { rotationSchedule: "0 0 29 2 *" },
      from: "2027-01-01T00:00:00Z",
      next: ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"],
    },
    {
      what: "`0 2 L * *` is the last day of each month, 28 February in 2027 and 29 in 2028",
      calendar: { rotationSchedule: "0 2 L * *" },
      from: "2027-01-31T02:10:00Z",
      next: ["2027-02-28T02:00:00Z", "2027-03-31T02:00:00Z"],
    },
    {
      what: "`@monthly` in UTC",
      calendar: { rotationSchedule: "@monthly" },
      from: "2027-01-15T10:00:00Z",
      next: ["2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", "2027-04-01T00:00:00Z"],
    },
    {
      what: "`@monthly` in Europe/Berlin: midnight there, one hour before in winter and two in summer",
      calendar: { rotationSchedule: "@monthly", rotationTimeZone: "Europe/Berlin" },
      from: "2027-01-15T10:00:00Z",
      next: ["2027-01-31T23:00:00Z", "2027-02-28T23:00:00Z", "2027-03-31T22:00:00Z"],
    },
    {
      what: "`@weekly` is Sunday midnight",
      calendar: { rotationSchedule: "@weekly" },
      from: "2027-01-15T10:00:00Z", // a Friday
      next: ["2027-01-17T00:00:00Z", "2027-01-24T00:00:00Z"],
    },
    {
      what: "the first Sunday of the month at 02:00 in Europe/Berlin (`0 2 * * 0#1`)",
      calendar: { rotationSchedule: "0 2 * * 0#1", rotationTimeZone: "Europe/Berlin" },
      from: "2027-02-15T00:00:00Z",
      next: ["2027-03-07T01:00:00Z", "2027-04-04T00:00:00Z", "2027-05-02T00:00:00Z"],
    },
    {
      what: "day of month and day of week both given: either one, as in Vixie cron (`0 2 1-7 * 0`)",
      calendar: { rotationSchedule: "0 2 1-7 * 0" },
      from: "2027-01-28T00:00:00Z",
      next: ["2027-01-31T02:00:00Z", "2027-02-01T02:00:00Z", "2027-02-02T02:00:00Z"],
    },
    {
      what: "Europe/Berlin, 28 March 2027 (02:00 -> 03:00): 02:30 that day comes at 03:00, not a day later",
      calendar: { rotationSchedule: "30 2 * * *", rotationTimeZone: "Europe/Berlin" },
      from: "2027-03-27T01:30:00Z",
      next: ["2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"],
    },
    {
      what: "Europe/Berlin, 31 October 2027 (03:00 -> 02:00): 02:30 comes once, at its first occurrence",
      calendar: { rotationSchedule: "30 2 * * *", rotationTimeZone: "Europe/Berlin" },
      from: "2027-10-30T00:30:00Z",
      next: ["2027-10-31T00:30:00Z", "2027-11-01T01:30:00Z"],
    },
    {
      what: "America/New_York, 14 March 2027 (02:00 -> 03:00): 02:30 comes at 03:00 EDT",
      calendar: { rotationSchedule: "30 2 * * *", rotationTimeZone: "America/New_York" },
      from: "2027-03-13T07:30:00Z",
      next: ["2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"],
    },
    {
      what: "America/New_York, 7 November 2027 (02:00 -> 01:00): 01:30 comes once, in EDT",
      calendar: { rotationSchedule: "30 1 * * *", rotationTimeZone: "America/New_York" },
      from: "2027-11-06T05:30:00Z",
      next: ["2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"],
    },
    {
      what: "an interval in the repeated hour (`*/30 1 * * *`) keeps both occurrences, as Vixie cron does",
      calendar: { rotationSchedule: "*/30 1 * * *", rotationTimeZone: "America/New_York" },
      from: "2027-11-07T05:00:00Z",
      next: ["2027-11-07T05:30:00Z", "2027-11-07T06:00:00Z", "2027-11-07T06:30:00Z", "2027-11-08T06:00:00Z"],
    },
    {
      what: "rotateAfterDays counts days of 86,400 s, whatever the calendar",
      calendar: { rotateAfterDays: 30 },
      from: "2027-03-10T02:00:00Z",
      next: ["2027-04-09T02:00:00Z", "2027-05-09T02:00:00Z"],
    },
  ];
  for (const t of table) {
    it(t.what, () => {
      assert.deepStrictEqual(rotations(t.calendar, t.from, t.next.length), t.next);
    });
  }

  it("the next moment is more than the early tolerance after rotatedAt: a rotation made early for a moment is not made again at it", () => {
    const calendar = { rotationSchedule: "0 2 * * *" };
    // rotated 3 minutes before 02:00 (a pipeline whose clock is behind): 02:00 that day is served
    assert.strictEqual(iso(nextRotation(calendar, at("2027-06-01T01:57:00Z"))), "2027-06-02T02:00:00Z");
    // rotated 6 minutes before it (say by a trigger): 02:00 still comes
    assert.strictEqual(iso(nextRotation(calendar, at("2027-06-01T01:54:00Z"))), "2027-06-01T02:00:00Z");
  });

  it("a schedule check refuses gives no moment: nothing is due on it", () => {
    assert.strictEqual(nextRotation({ rotationSchedule: "not a schedule" }, at("2027-01-01T00:00:00Z")), undefined);
    assert.strictEqual(
      rotationStatus({ rotationSchedule: "0 2 * * *", rotationTimeZone: "Mars/Olympus" }, 0, Date.now()),
      undefined,
    );
    assert.strictEqual(rotationStatus({}, 0, Date.now()), undefined);
  });
});

describe("rotation calendar: due, windows, missed windows", () => {
  // the first Sunday of each month, 02:00-04:00 in Berlin: 7 March 2027 (CET), 4 April (CEST), 2 May
  const monthly: RotationCalendar = {
    rotationSchedule: "0 2 * * 0#1",
    rotationTimeZone: "Europe/Berlin",
    rotationWindowMinutes: 120,
  };
  const rotatedAt = at("2027-03-07T01:10:00Z"); // in March's window
  const april = at("2027-04-04T00:00:00Z");
  const may = at("2027-05-02T00:00:00Z");

  const table: Array<[string, string, { due: boolean; rotates: boolean; window?: string; waitsFor?: string }]> = [
    ["a week before the moment: not due", "2027-03-28T00:00:00Z", { due: false, rotates: false }],
    ["6 minutes before it: not due yet", "2027-04-03T23:54:00Z", { due: false, rotates: false }],
    [
      "4 minutes before it: the early tolerance counts it in the window",
      "2027-04-03T23:56:00Z",
      { due: true, rotates: true, window: "2027-04-04T00:00:00Z" },
    ],
    ["at the moment", "2027-04-04T00:00:00Z", { due: true, rotates: true, window: "2027-04-04T00:00:00Z" }],
    [
      "the last second of the window",
      "2027-04-04T01:59:59Z",
      { due: true, rotates: true, window: "2027-04-04T00:00:00Z" },
    ],
    [
      "the window's end: waits for May's",
      "2027-04-04T02:00:00Z",
      { due: true, rotates: false, waitsFor: "2027-05-02T00:00:00Z" },
    ],
    [
      "a missed window, two weeks on: waits for May's",
      "2027-04-18T00:00:00Z",
      { due: true, rotates: false, waitsFor: "2027-05-02T00:00:00Z" },
    ],
    [
      "in the next window after a missed one",
      "2027-05-02T00:30:00Z",
      { due: true, rotates: true, window: "2027-05-02T00:00:00Z" },
    ],
  ];
  for (const [what, now, expected] of table) {
    it(`${what} (${now})`, () => {
      const s = rotationStatus(monthly, rotatedAt, at(now))!;
      assert.strictEqual(iso(s.next), "2027-04-04T00:00:00Z", "nextRotationAt is the same whenever asked");
      assert.deepStrictEqual(
        { due: s.due, rotates: s.rotates, window: iso(s.window?.opens), waitsFor: iso(s.waitsFor?.opens) },
        { window: undefined, waitsFor: undefined, ...expected },
      );
      for (const w of [s.window, s.waitsFor]) if (w) assert.strictEqual(w.closes - w.opens, 120 * MINUTE_MS);
    });
  }

  it("one rotation serves every missed moment: after it, the next one is the following month's", () => {
    const late = may + 30 * MINUTE_MS; // April's window was missed
    assert.strictEqual(rotationStatus(monthly, rotatedAt, late)!.rotates, true);
    const after = rotationStatus(monthly, late, late + MINUTE_MS)!;
    assert.deepStrictEqual([after.due, iso(after.next)], [false, "2027-06-06T00:00:00Z"]);
    // and not again later in May's window
    assert.strictEqual(rotationStatus(monthly, late, may + 119 * MINUTE_MS)!.due, false);
  });

  it("without a window a due schedule rotates at any time, however late", () => {
    const s = rotationStatus({ rotationSchedule: "0 2 * * 0#1", rotationTimeZone: "Europe/Berlin" }, rotatedAt, april);
    assert.deepStrictEqual([s!.due, s!.rotates], [true, true]);
    const late = rotationStatus(
      { rotationSchedule: "@monthly" },
      at("2026-01-05T00:00:00Z"),
      at("2027-04-20T13:00:00Z"),
    );
    assert.deepStrictEqual([late!.due, late!.rotates, iso(late!.next)], [true, true, "2026-02-01T00:00:00Z"]);
  });

  it("a skipped hour does not skip the rotation: 02:30 on 28 March 2027 in Berlin is at 03:00, with its window", () => {
    const nightly = { rotationSchedule: "30 2 * * *", rotationTimeZone: "Europe/Berlin", rotationWindowMinutes: 60 };
    const rotated = at("2027-03-27T01:31:00Z");
    assert.strictEqual(rotationStatus(nightly, rotated, at("2027-03-28T00:50:00Z"))!.due, false, "02:50 CET");
    const s = rotationStatus(nightly, rotated, at("2027-03-28T01:05:00Z"))!; // 03:05 CEST
    assert.deepStrictEqual([s.rotates, iso(s.window?.opens)], [true, "2027-03-28T01:00:00Z"]);
  });

  it("a repeated hour does not rotate twice: after 02:30 CEST on 31 October 2027, 02:30 CET is not due", () => {
    const nightly = { rotationSchedule: "30 2 * * *", rotationTimeZone: "Europe/Berlin", rotationWindowMinutes: 60 };
    const first = at("2027-10-31T00:30:00Z"); // 02:30 CEST
    assert.strictEqual(rotationStatus(nightly, at("2027-10-30T00:31:00Z"), first)!.rotates, true);
    const rotated = first + 20_000;
    for (const now of ["2027-10-31T01:30:00Z", "2027-10-31T01:45:00Z"]) {
      assert.strictEqual(rotationStatus(nightly, rotated, at(now))!.due, false, now);
    }
    assert.strictEqual(iso(rotationStatus(nightly, rotated, at("2027-10-31T01:30:00Z"))!.next), "2027-11-01T01:30:00Z");
  });

  it("America/New_York 2027: the spring gap's 02:30 rotates at 03:00 EDT; autumn's 01:30 once", () => {
    const spring = { rotationSchedule: "30 2 * * *", rotationTimeZone: "America/New_York", rotationWindowMinutes: 30 };
    const s = rotationStatus(spring, at("2027-03-13T07:31:00Z"), at("2027-03-14T07:10:00Z"))!;
    assert.deepStrictEqual([s.rotates, iso(s.window?.opens)], [true, "2027-03-14T07:00:00Z"]);
    const autumn = { rotationSchedule: "30 1 * * *", rotationTimeZone: "America/New_York", rotationWindowMinutes: 30 };
    const rotated = at("2027-11-07T05:31:00Z"); // 01:30 EDT served
    const repeated = rotationStatus(autumn, rotated, at("2027-11-07T06:31:00Z"))!; // 01:31 EST
    assert.deepStrictEqual([repeated.due, iso(repeated.next)], [false, "2027-11-08T06:30:00Z"]);
  });

  it("a window across the autumn change is minutes of real time: 02:00 CEST for 120 minutes ends at 03:00 CET", () => {
    const cal = { rotationSchedule: "0 2 31 10 *", rotationTimeZone: "Europe/Berlin", rotationWindowMinutes: 120 };
    const rotated = at("2026-10-31T01:00:00Z");
    assert.strictEqual(rotationStatus(cal, rotated, at("2027-10-31T01:59:00Z"))!.rotates, true); // 02:59 CET
    assert.strictEqual(rotationStatus(cal, rotated, at("2027-10-31T02:00:00Z"))!.rotates, false); // 03:00 CET
  });

  it("rotateAfterDays with a window: due at rotatedAt + N days, then a window each day at that time", () => {
    const cal = { rotateAfterDays: 30, rotationWindowMinutes: 60 };
    const rotated = at("2027-01-01T02:10:00Z");
    const due = rotated + 30 * DAY_MS; // 2027-01-31T02:10:00Z
    assert.deepStrictEqual(
      [0, 59, 60, DAY_MS / MINUTE_MS - 1, DAY_MS / MINUTE_MS + 30].map((m) => {
        const s = rotationStatus(cal, rotated, due + m * MINUTE_MS)!;
        return [s.rotates, iso(s.window?.opens ?? s.waitsFor?.opens)];
      }),
      [
        [true, "2027-01-31T02:10:00Z"],
        [true, "2027-01-31T02:10:00Z"],
        [false, "2027-02-01T02:10:00Z"],
        [true, "2027-02-01T02:10:00Z"], // within the early tolerance of the next day's window
        [true, "2027-02-01T02:10:00Z"],
      ],
    );
    assert.strictEqual(rotationStatus(cal, rotated, due - EARLY_TOLERANCE_MS - 1)!.due, false);
  });
});

describe("rotation calendar: what is refused", () => {
  const good = ["0 2 * * 0#1", "@monthly", "@MONTHLY", "@yearly", "@annually", "@weekly", "@daily", "@midnight"];
  for (const pattern of [...good, "@hourly", "*/15 * * * *", "0 2 L * *", "0 2 * * MON-FRI", " 0 2 * * * "]) {
    it(`takes ${JSON.stringify(pattern)}`, () => assert.strictEqual(scheduleProblem(pattern, Date.now()), undefined));
  }
  const bad: Array<[string, RegExp]> = [
    ["0 0 2 * * *", /must be five fields .*this has 6/],
    ["0 2 * *", /must be five fields .*this has 4/],
    ["", /must be five fields/],
    ["61 * * * *", /is not a cron expression: .*minute/],
    ["@reboot", /is not a cron expression: the shortcuts are @yearly, @annually, @monthly/],
    ["@fortnightly", /is not a cron expression: the shortcuts are/],
    ["0 0 30 2 *", /matches no date/],
  ];
  for (const [pattern, reason] of bad) {
    it(`refuses ${JSON.stringify(pattern)}, naming the rule and not the value`, () => {
      const problem = scheduleProblem(pattern, Date.now());
      assert.match(String(problem), reason);
      if (pattern.length > 3) assert.ok(!problem!.includes(pattern), problem);
    });
  }

  it("time zones are IANA names the runtime knows", () => {
    for (const zone of ["Europe/Berlin", "America/New_York", "UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires"]) {
      assert.strictEqual(timeZoneProblem(zone), undefined, zone);
    }
    for (const zone of ["Mars/Olympus", "+01:00", "", "Europe/", "CEST later"]) {
      assert.match(String(timeZoneProblem(zone)), /must be an IANA time zone name/, zone);
    }
  });

  it("moments read in the schedule's zone too", () => {
    assert.strictEqual(showMoment(at("2027-04-04T00:00:00Z")), "2027-04-04T00:00:00Z");
    assert.strictEqual(
      showMoment(at("2027-04-04T00:00:00Z"), "Europe/Berlin"),
      "2027-04-04T00:00:00Z (2027-04-04 02:00 Europe/Berlin)",
    );
  });
});

describe("rotation calendar: croner loads only for a cron schedule", () => {
  it("checks, diffs and rotateAfterDays never load it; a cron schedule does", function () {
    this.timeout(60000);
    const root = path.resolve(__dirname, "..", "..");
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => k.includes("node_modules/croner/"));
      const { check, diff } = require("./provider/cassandra/operations");
      const { rotationStatus } = require("./provider/shared/calendar");
      (async () => {
        const inputs = { role: "app", connection: { address: "127.0.0.1:9042" }, password: "Abcdef12!x", rotateAfterDays: 30 };
        const checked = await check(undefined, inputs);
        await diff("id", { ...checked.inputs, address: "127.0.0.1:9042", passwordVerified: true }, checked.inputs);
        rotationStatus({ rotateAfterDays: 3 }, 0, Date.now());
        const before = loaded();
        await check(undefined, { ...inputs, rotateAfterDays: undefined, rotationSchedule: "@monthly" });
        console.log(JSON.stringify({ before, after: loaded() }));
      })();`;
    const out = execFileSync(process.execPath, ["-r", "ts-node/register", "-e", script], {
      cwd: root,
      env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.test.json"), TS_NODE_TRANSPILE_ONLY: "true" },
      encoding: "utf8",
    });
    assert.deepStrictEqual(JSON.parse(out.trim().split("\n").pop()!), { before: false, after: true });
  });
});
