/**
 * The one retry helper: bounded attempts and elapsed time, exponential backoff with full
 * jitter, and a retry only when the caller's classifier says the failure is transient.
 * An unknown failure is never retried, and nothing is retried once the Pulumi CLI that started
 * this process has gone (see orphan.ts).
 */
import { pulumiStillThere } from "./orphan";

export interface RetryOptions {
  /** Most attempts in all, the first one included. */
  maxAttempts: number;
  /** No new attempt starts once this much time has passed since the first. */
  maxElapsedMs: number;
  /** First backoff ceiling; doubles each attempt. */
  baseDelayMs: number;
  /** Upper bound of one backoff. */
  maxDelayMs: number;
  /**
   * Says whether a failure may be retried, and optionally how long the server asked us to
   * wait (Retry-After). Return false for anything not known to be transient.
   */
  classify: (err: unknown) => { retry: boolean; afterMs?: number };
  /** Called before each wait, e.g. to log "retrying in 400 ms (attempt 2/5)". */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /**
   * Asked before every new attempt; false ends the retries with the last error. Defaults to
   * whether the Pulumi CLI that started this process is still there.
   */
  stillWanted?: () => Promise<boolean>;
  /** Injected for tests; defaults to setTimeout and Math.random. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface RetryResult<T> {
  value: T;
  attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` until it succeeds, fails with a non-retryable error, or a bound is reached. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<RetryResult<T>> {
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const stillWanted = opts.stillWanted ?? pulumiStillThere;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (error) {
      const verdict = opts.classify(error);
      if (!verdict.retry || attempt >= opts.maxAttempts) throw error;
      const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
      const jittered = Math.floor(random() * ceiling);
      // A server's Retry-After is honoured, but never beyond our own bound on one wait.
      const delayMs =
        verdict.afterMs !== undefined ? Math.min(Math.max(verdict.afterMs, jittered), opts.maxDelayMs) : jittered;
      if (now() - started + delayMs > opts.maxElapsedMs) throw error;
      opts.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
      if (!(await stillWanted())) throw error;
    }
  }
}
