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
  scheduleCheck,
  scheduledRotation,
  timestamp,
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
    const n = now.getTime();
    assert.strictEqual(scheduledRotation({ rotatedAt: longAgo }, { rotatedAt: stamp, rotateAfterDays: 90 }, n), true);
    assert.strictEqual(scheduledRotation({ rotatedAt: recent }, { rotatedAt: stamp, rotateAfterDays: 90 }, n), false);
    assert.strictEqual(
      scheduledRotation({ rotatedAt: longAgo }, { rotatedAt: longAgo, rotateAfterDays: 90 }, n),
      false,
    );
    // a stack from before rotatedAt: the first stamp starts the clock, it does not rotate
    assert.strictEqual(scheduledRotation({}, { rotatedAt: stamp, rotateAfterDays: 1 }, n), false);
  });
});
