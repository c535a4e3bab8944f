import * as assert from "assert";
import { secretForms } from "../../provider/shared/redact";

/**
 * Every form a secret could leak in: exactly the forms redaction removes (as is, base64 with
 * and without padding, base64url, URL-encoded, JSON-escaped), so that the scan misses
 * nothing that redaction is supposed to catch.
 */
export { secretForms as leakForms };

/** Fails when any of `texts` holds any form of any secret. */
export function assertNoLeak(
  texts: ReadonlyArray<string | undefined>,
  secrets: ReadonlyArray<string>,
  where = "output",
): void {
  for (const text of texts) {
    if (!text) continue;
    for (const secret of secrets) {
      for (const form of secretForms(secret)) {
        const at = text.indexOf(form);
        if (at >= 0) {
          const around = text
            .slice(Math.max(0, at - 300), at + form.length + 100)
            .split(form)
            .join("<SECRET>");
          assert.fail(`a secret leaked into ${where}: ...${around}...`);
        }
      }
    }
  }
}

/** Records what is written to stdout and stderr while `fn` runs (and still writes it). */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; output: string }> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const tap = (orig: typeof out) =>
    ((chunk: any, ...rest: any[]) => {
      chunks.push(String(chunk));
      return orig(chunk, ...rest);
    }) as typeof out;
  process.stdout.write = tap(out);
  process.stderr.write = tap(err);
  try {
    return { result: await fn(), output: chunks.join("") };
  } catch (error) {
    return { error, output: chunks.join("") };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** The message and stack of a thrown value, for leak checks. */
export function errorTexts(err: unknown): string[] {
  if (err instanceof Error) return [err.message, err.stack ?? "", JSON.stringify(err)];
  return [String(err)];
}
