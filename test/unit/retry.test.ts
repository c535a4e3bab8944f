import * as assert from "assert";
import { retry } from "../../provider/shared/retry";

class Transient extends Error {
  constructor(readonly afterMs?: number) {
    super("transient");
  }
}

function harness() {
  let clock = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    opts: {
      maxAttempts: 5,
      maxElapsedMs: 10000,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      classify: (e: unknown) => (e instanceof Transient ? { retry: true, afterMs: e.afterMs } : { retry: false }),
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
      random: () => 0.5,
      now: () => clock,
    },
  };
}

describe("retry", () => {
  it("retries a transient failure until it succeeds and counts the attempts", async () => {
    const h = harness();
    let calls = 0;
    const r = await retry(async () => {
      if (++calls < 3) throw new Transient();
      return "ok";
    }, h.opts);
    assert.deepStrictEqual(r, { value: "ok", attempts: 3 });
    assert.deepStrictEqual(h.sleeps, [50, 100]); // half of 100, 200 with random 0.5
  });

  it("never retries an unknown failure", async () => {
    const h = harness();
    let calls = 0;
    await assert.rejects(
      retry(async () => {
        calls++;
        throw new Error("boom");
      }, h.opts),
      /boom/,
    );
    assert.strictEqual(calls, 1);
    assert.deepStrictEqual(h.sleeps, []);
  });

  it("stops after maxAttempts", async () => {
    const h = harness();
    let calls = 0;
    await assert.rejects(
      retry(async () => {
        calls++;
        throw new Transient();
      }, h.opts),
      Transient,
    );
    assert.strictEqual(calls, 5);
  });

  it("honours Retry-After but never beyond maxDelayMs", async () => {
    const h = harness();
    let calls = 0;
    await retry(async () => {
      calls++;
      if (calls === 1) throw new Transient(700);
      if (calls === 2) throw new Transient(60000);
      return 1;
    }, h.opts);
    assert.deepStrictEqual(h.sleeps, [700, 1000]);
  });

  it("stops when the next wait would pass maxElapsedMs", async () => {
    const h = harness();
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls++;
          throw new Transient(1000);
        },
        { ...h.opts, maxAttempts: 100, maxElapsedMs: 2500 },
      ),
    );
    assert.strictEqual(calls, 3);
  });

  it("gives up with the last error when the engine that asked for the call has gone", async () => {
    const h = harness();
    const events: string[] = [];
    let wanted = true;
    const last = new Transient();
    await assert.rejects(
      retry(
        async (attempt) => {
          events.push(`attempt ${attempt}`);
          if (attempt === 2) wanted = false; // the engine dies while attempt 2 is out
          throw attempt === 2 ? last : new Transient();
        },
        {
          ...h.opts,
          sleep: async (ms) => void events.push(`sleep ${ms}`),
          stillWanted: async () => (events.push(`asked: ${wanted}`), wanted),
        },
      ),
      (err) => err === last,
    );
    // asked after each wait, before the attempt it would start; never a third attempt
    assert.deepStrictEqual(events, ["attempt 1", "sleep 50", "asked: true", "attempt 2", "sleep 100", "asked: false"]);
  });

  it("outside a dynamic provider host (no engine to watch) retries as before", async () => {
    const h = harness();
    let calls = 0;
    const { value } = await retry(async () => {
      if (++calls < 3) throw new Transient();
      return "ok";
    }, h.opts);
    assert.strictEqual(value, "ok");
    assert.strictEqual(calls, 3);
  });
});
