/**
 * The arithmetic of scheduled rotation: when a password set at `rotatedAt` is due again
 * (month ends, leap days, clock skew of a few seconds), and what check and update decide.
 */
import * as assert from "assert";
import {
  DAY_MS,
  EARLY_TOLERANCE_MS,
  dueAt,
  isDue,
  parseTimestamp,
  passwordDiff,
  passwordForUpdate,
  scheduleCheck,
  scheduledRotation,
  timestamp,
  withSchedule,
  type Scheduled,
} from "../../provider/shared/schedule";

const at = (s: string) => Date.parse(s);

describe("scheduled rotation: dates", () => {
  const dueTable: Array<[string, number, string]> = [
    // rotatedAt, rotateAfterDays, due at
    ["2024-02-28T10:00:00Z", 1, "2024-02-29T10:00:00Z"], // leap day exists in 2024
    ["2023-02-28T10:00:00Z", 1, "2023-03-01T10:00:00Z"], // and not in 2023
    ["2024-02-29T23:59:59Z", 365, "2025-02-28T23:59:59Z"], // a year from a leap day
    ["2024-01-31T08:00:00Z", 30, "2024-03-01T08:00:00Z"], // over a month end and a leap day
    ["2023-01-31T08:00:00Z", 30, "2023-03-02T08:00:00Z"],
    ["2025-04-30T00:00:00Z", 31, "2025-05-31T00:00:00Z"],
    ["2025-12-31T23:59:59Z", 1, "2026-01-01T23:59:59Z"], // over a year end
    ["2026-03-28T12:00:00Z", 2, "2026-03-30T12:00:00Z"], // over a DST change: UTC has none
    ["2026-11-25T06:40:12Z", 90, "2027-02-23T06:40:12Z"],
    ["2026-11-25T06:40:12Z", 3650, "2036-11-22T06:40:12Z"],
  ];
  for (const [rotatedAt, days, due] of dueTable) {
    it(`${rotatedAt} + ${days} day(s) is due at ${due}`, () => {
      assert.strictEqual(new Date(dueAt(rotatedAt, days)!).toISOString().replace(".000Z", "Z"), due);
      assert.strictEqual(isDue(rotatedAt, days, at(due)), true, "due at the due time");
      assert.strictEqual(isDue(rotatedAt, days, at(due) + DAY_MS), true, "and after it");
      assert.strictEqual(isDue(rotatedAt, days, at(due) - EARLY_TOLERANCE_MS - 1000), false, "not before");
    });
  }

  const skewTable: Array<[string, number, number, boolean]> = [
    // what, rotatedAt + days, now relative to the due time (ms), due?
    ["a run 3 s early (clock behind)", 1, -3000, true],
    ["a nightly run that started 4 min earlier than last night", 1, -4 * 60_000, true],
    ["a run 6 min early", 1, -6 * 60_000, false],
    ["a run 2 s late", 1, 2000, true],
  ];
  for (const [what, days, offset, due] of skewTable) {
    it(`clock skew: ${what} is ${due ? "" : "not "}due`, () => {
      const rotatedAt = "2026-06-30T02:00:05Z";
      assert.strictEqual(isDue(rotatedAt, days, dueAt(rotatedAt, days)! + offset), due);
    });
  }

  it("a rotatedAt a few seconds in the future (the clock that wrote it was ahead) is not due", () => {
    assert.strictEqual(isDue("2026-06-30T02:00:05Z", 1, at("2026-06-30T02:00:00Z")), false);
  });

  it("without rotateAfterDays or a readable rotatedAt nothing is due", () => {
    assert.strictEqual(isDue("2020-01-01T00:00:00Z", undefined, Date.now()), false);
    assert.strictEqual(isDue(undefined, 1, Date.now()), false);
    assert.strictEqual(isDue("yesterday", 1, Date.now()), false);
  });

  it("timestamps are RFC 3339 UTC to the second, and only those parse", () => {
    assert.strictEqual(timestamp(new Date("2024-02-29T23:59:59.987Z")), "2024-02-29T23:59:59Z");
    assert.strictEqual(parseTimestamp("2024-02-29T23:59:59Z"), at("2024-02-29T23:59:59Z"));
    for (const bad of ["2023-02-29T00:00:00Z", "2024-02-30T00:00:00Z", "2024-02-28T10:00:00+01:00", "2024-02-28", 7]) {
      assert.strictEqual(parseTimestamp(bad), undefined, String(bad));
    }
  });
});

describe("scheduled rotation: what check decides", () => {
  const now = new Date("2026-11-25T06:40:12Z");
  const stamp = "2026-11-25T06:40:12Z";
  const longAgo = "2026-08-01T00:00:00Z"; // 116 days before now
  const recent = "2026-11-01T00:00:00Z"; // 24 days before now

  const table: Array<{
    what: string;
    olds?: { password?: string; rotateAfterDays?: number; rotatedAt?: string };
    news: { password?: string; rotateAfterDays?: number };
    setsPassword?: boolean;
    rotatedAt: string | undefined;
    fails?: RegExp;
  }> = [
    { what: "create stamps the time", news: {}, rotatedAt: stamp },
    {
      what: "a password change stamps the time",
      olds: { rotatedAt: recent },
      news: {},
      setsPassword: true,
      rotatedAt: stamp,
    },
    {
      what: "not due: the previous time is kept",
      olds: { rotatedAt: recent },
      news: { rotateAfterDays: 90 },
      rotatedAt: recent,
    },
    { what: "no schedule: the previous time is kept", olds: { rotatedAt: longAgo }, news: {}, rotatedAt: longAgo },
    {
      what: "due, generated password: stamps (a rotation)",
      olds: { rotatedAt: longAgo },
      news: { rotateAfterDays: 90 },
      rotatedAt: stamp,
    },
    {
      what: "due, password given in config: fails and names the field, not the value",
      olds: { rotatedAt: longAgo, password: "Given-Pw-123" },
      news: { rotateAfterDays: 90, password: "Given-Pw-123" },
      rotatedAt: longAgo,
      fails:
        /is due for rotation \(set 2026-08-01T00:00:00Z, rotateAfterDays 90\).*set a new secret for it, or omit password/,
    },
    {
      what: "due, and a new password is given: that is the rotation",
      olds: { rotatedAt: longAgo, password: "Given-Pw-123" },
      news: { rotateAfterDays: 90, password: "Given-Pw-456" },
      setsPassword: true,
      rotatedAt: stamp,
    },
    {
      what: "schedule removed: the previous time is kept",
      olds: { rotatedAt: longAgo, rotateAfterDays: 90 },
      news: {},
      rotatedAt: longAgo,
    },
    { what: "a stack from before rotatedAt, no schedule: stays without", olds: {}, news: {}, rotatedAt: undefined },
    {
      what: "a stack from before rotatedAt gets a schedule: the clock starts now",
      olds: {},
      news: { rotateAfterDays: 30 },
      rotatedAt: stamp,
    },
  ];
  for (const t of table) {
    it(t.what, () => {
      const r = scheduleCheck(t.olds, t.news, t.setsPassword ?? false, now);
      assert.strictEqual(r.rotatedAt, t.rotatedAt);
      if (t.fails) {
        assert.strictEqual(r.failure?.property, "password");
        assert.match(r.failure!.reason, t.fails);
        assert.doesNotMatch(r.failure!.reason, /Given-Pw/);
      } else assert.strictEqual(r.failure, undefined);
    });
  }

  it("update rotates for the schedule only when the new stamp replaces a due one", () => {
    assert.strictEqual(scheduledRotation({ rotatedAt: longAgo }, { rotatedAt: stamp, rotateAfterDays: 90 }), true);
    assert.strictEqual(scheduledRotation({ rotatedAt: recent }, { rotatedAt: stamp, rotateAfterDays: 90 }), false);
    assert.strictEqual(scheduledRotation({ rotatedAt: longAgo }, { rotatedAt: longAgo, rotateAfterDays: 90 }), false);
    // a stack from before rotatedAt: the first stamp starts the clock, it does not rotate
    assert.strictEqual(scheduledRotation({}, { rotatedAt: stamp, rotateAfterDays: 1 }), false);
  });
});

describe("scheduled rotation on a calendar: check, diff and update", () => {
  // the first Sunday of each month, 02:00-04:00 in Berlin; March's was 7 March 2027 (01:00Z)
  const calendar = { rotationSchedule: "0 2 * * 0#1", rotationTimeZone: "Europe/Berlin", rotationWindowMinutes: 120 };
  const rotatedAt = "2027-03-07T01:10:00Z";
  // the previous inputs (what check sees; a generated password is no input) and state (what diff and update see)
  const olds = { ...calendar, rotatedAt, nextRotationAt: "2027-04-04T00:00:00Z" };
  const state = { ...olds, password: "Old-Pw-0001" };
  const news = { ...calendar };
  const what = "CassandraRolePassword 127.0.0.1:9042/app";
  const check = (now: string, n: Scheduled = news, o: Scheduled = olds) =>
    withSchedule<Scheduled>(n, o, false, new Date(now));

  it("create stamps rotatedAt and nextRotationAt, the first moment after it", () => {
    const r = withSchedule<Scheduled>({ ...news }, undefined, false, new Date("2027-03-10T12:00:00.700Z"));
    assert.deepStrictEqual(
      [r.inputs.rotatedAt, r.inputs.nextRotationAt],
      ["2027-03-10T12:00:00Z", "2027-04-04T00:00:00Z"],
    );
    assert.strictEqual(r.failures, undefined);
  });

  it("not due, and due outside the window: rotatedAt and nextRotationAt stay as they are", () => {
    for (const now of ["2027-03-20T00:00:00Z", "2027-04-04T02:00:00Z", "2027-04-20T09:00:00Z"]) {
      const r = check(now);
      assert.deepStrictEqual([r.inputs.rotatedAt, r.inputs.nextRotationAt], [rotatedAt, olds.nextRotationAt], now);
      const d = passwordDiff(what, state, r.inputs, false, Date.parse(now));
      assert.deepStrictEqual(d.changed, [], now);
    }
  });

  it("due outside the window: no change, and a note that it waits and when the next window opens", () => {
    const now = "2027-04-20T09:00:00Z";
    const d = passwordDiff(what, state, check(now).inputs, false, Date.parse(now));
    assert.deepStrictEqual(d.notes, [
      `${what}: the password is due for rotation (last set 2027-03-07T01:10:00Z, rotationSchedule "0 2 * * 0#1" in ` +
        "Europe/Berlin, due at 2027-04-04T00:00:00Z (2027-04-04 02:00 Europe/Berlin)) and waits for the next window, " +
        "which opens at 2027-05-02T00:00:00Z (2027-05-02 02:00 Europe/Berlin) for 120 minutes: this run changes nothing",
    ]);
    // not due: nothing to say
    assert.deepStrictEqual(passwordDiff(what, state, check("2027-03-20T00:00:00Z").inputs, false).notes, []);
  });

  it("due in the window: check stamps, diff names the change and says why, update generates", () => {
    const now = "2027-04-04T00:30:00.400Z";
    const r = check(now);
    assert.deepStrictEqual(
      [r.inputs.rotatedAt, r.inputs.nextRotationAt],
      ["2027-04-04T00:30:00Z", "2027-05-02T00:00:00Z"],
    );
    const d = passwordDiff(what, state, r.inputs, false, Date.parse(now));
    assert.deepStrictEqual(d.changed, ["password", "rotatedAt", "nextRotationAt"]);
    assert.deepStrictEqual(d.notes, [
      `${what}: the password is due for rotation (last set 2027-03-07T01:10:00Z, rotationSchedule "0 2 * * 0#1" in ` +
        "Europe/Berlin, due at 2027-04-04T00:00:00Z (2027-04-04 02:00 Europe/Berlin), in the window that opened at " +
        "2027-04-04T00:00:00Z (2027-04-04 02:00 Europe/Berlin) for 120 minutes): this update sets a new generated password",
    ]);
    let generated = 0;
    const u = passwordForUpdate(state, r.inputs, () => `New-Pw-000${++generated}`);
    assert.deepStrictEqual(u, { password: "New-Pw-0001", sets: true, rotatedAt: "2027-04-04T00:30:00Z" });
  });

  it("a rotation check began in the window is finished by an update that runs after it closed (decided at the stamp)", () => {
    const r = check("2027-04-04T01:59:30Z");
    assert.strictEqual(r.inputs.rotatedAt, "2027-04-04T01:59:30Z");
    // the update's own clock is past 04:00 Berlin: what counts is when check decided
    assert.strictEqual(scheduledRotation(state, r.inputs), true);
    assert.strictEqual(passwordForUpdate(state, r.inputs, () => "New-Pw-0002").sets, true);
  });

  it("a run that missed a whole window rotates once in the next one; the following run does not", () => {
    const r = check("2027-05-02T01:00:00Z");
    assert.strictEqual(r.inputs.rotatedAt, "2027-05-02T01:00:00Z");
    assert.strictEqual(r.inputs.nextRotationAt, "2027-06-06T00:00:00Z");
    const again = check("2027-05-02T01:30:00Z", news, r.inputs);
    assert.strictEqual(again.inputs.rotatedAt, "2027-05-02T01:00:00Z");
    const after = { ...r.inputs, password: "New-Pw-0003" };
    assert.deepStrictEqual(passwordDiff(what, after, again.inputs, false, Date.parse("2027-05-02T01:30:00Z")), {
      changed: [],
      notes: [],
    });
  });

  it("a password given in config: due in the window fails naming the schedule; outside it waits without failing", () => {
    const given = { ...news, password: "Old-Pw-0001" };
    const inWindow = check("2027-04-04T00:30:00Z", given, { ...olds, password: "Old-Pw-0001" });
    assert.strictEqual(inWindow.failures?.[0].property, "password");
    assert.match(
      inWindow.failures![0].reason,
      /^is due for rotation \(set 2027-03-07T01:10:00Z, rotationSchedule "0 2 \* \* 0#1" in Europe\/Berlin\) and is given in config/,
    );
    assert.doesNotMatch(inWindow.failures![0].reason, /Old-Pw/);
    assert.strictEqual(check("2027-04-10T00:00:00Z", given, { ...olds, password: "Old-Pw-0001" }).failures, undefined);
  });

  it("the early tolerance applies to cron moments: 4 minutes before the window counts, and is not rotated again in it", () => {
    const r = check("2027-04-03T23:56:00Z");
    assert.deepStrictEqual(
      [r.inputs.rotatedAt, r.inputs.nextRotationAt],
      ["2027-04-03T23:56:00Z", "2027-05-02T00:00:00Z"],
    );
    assert.strictEqual(check("2027-04-03T23:54:59Z").inputs.rotatedAt, rotatedAt, "6 minutes before: not yet");
  });

  it("rotateAfterDays with a window waits outside it and says so", () => {
    const days = { rotateAfterDays: 30, rotationWindowMinutes: 60 };
    const o = { ...days, rotatedAt: "2027-01-01T02:10:00Z", nextRotationAt: "2027-01-31T02:10:00Z" };
    const now = "2027-02-05T12:00:00Z";
    const r = check(now, days, o);
    assert.strictEqual(r.inputs.rotatedAt, o.rotatedAt);
    assert.match(
      passwordDiff(what, o, r.inputs, false, Date.parse(now)).notes[0],
      /\(last set 2027-01-01T02:10:00Z, rotateAfterDays 30, due at 2027-01-31T02:10:00Z\) and waits for the next window, which opens at 2027-02-06T02:10:00Z for 60 minutes/,
    );
    assert.strictEqual(check("2027-02-06T02:40:00Z", days, o).inputs.rotatedAt, "2027-02-06T02:40:00Z");
  });

  it("nextRotationAt follows a change of the schedule, and goes when the schedule does", () => {
    const weekly = check("2027-03-10T00:00:00Z", { rotationSchedule: "@weekly" });
    assert.strictEqual(weekly.inputs.nextRotationAt, "2027-03-14T00:00:00Z");
    const none = check("2027-03-10T00:00:00Z", {});
    assert.strictEqual(none.inputs.nextRotationAt, undefined);
    assert.strictEqual(none.inputs.rotatedAt, rotatedAt);
    assert.ok(passwordDiff(what, state, none.inputs, false).changed.includes("nextRotationAt"));
    // a stack from before nextRotationAt gets it stored, with no new password
    const { nextRotationAt: _gone, ...before } = olds;
    const upgraded = check("2027-03-10T00:00:00Z", news, before);
    const d = passwordDiff(what, { ...before, password: state.password }, upgraded.inputs, false);
    assert.deepStrictEqual(d.changed, ["nextRotationAt"]);
  });

  const conflicts: Array<[string, Scheduled, string, RegExp]> = [
    [
      "rotateAfterDays and rotationSchedule together",
      { rotateAfterDays: 30, rotationSchedule: "@monthly" },
      "rotationSchedule",
      /and rotateAfterDays are both set: give one of them/,
    ],
    [
      "a time zone without a cron schedule",
      { rotateAfterDays: 30, rotationTimeZone: "UTC" },
      "rotationTimeZone",
      /applies to rotationSchedule/,
    ],
    ["a window without a schedule", { rotationWindowMinutes: 60 }, "rotationWindowMinutes", /needs a schedule/],
  ];
  for (const [what, inputs, property, reason] of conflicts) {
    it(`${what} is a check failure naming the fields`, () => {
      const r = withSchedule(inputs, olds, false, new Date("2027-04-04T00:30:00Z"));
      assert.strictEqual(r.failures?.length, 1);
      assert.strictEqual(r.failures![0].property, property);
      assert.match(r.failures![0].reason, reason);
    });
  }
});
