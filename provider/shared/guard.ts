import { operationEnded, operationStarted } from "./orphan";
import { DbPasswordError } from "./errors";
import { redact, safeMessage } from "./redact";

/**
 * Runs one provider operation so that whatever it throws is a DbPasswordError whose message
 * and stack hold none of `secrets`. An unexpected error becomes `wrap(message)`. Operations
 * are counted, so that an orphaned provider process ends only between them (orphan.ts).
 */
export async function guarded<T>(
  operation: string,
  secrets: () => Array<string | undefined>,
  wrap: (message: string, operation: string) => DbPasswordError,
  fn: () => Promise<T>,
): Promise<T> {
  operationStarted();
  try {
    return await fn();
  } catch (err) {
    const values = secrets();
    if (err instanceof DbPasswordError) {
      // Redacted in place: the error keeps its class and what it carries (the partial state a
      // change left, whether it is transient or ambiguous, the server's code and request id).
      err.message = redact(err.message, values);
      if (err.reasons) (err as { reasons?: string[] }).reasons = err.reasons.map((r) => redact(r, values));
      // The stack is the message plus frames: rebuild it so nothing else rides along.
      err.stack = `${err.name}: ${err.message}\n${(err.stack ?? "")
        .split("\n")
        .filter((l) => l.startsWith("    at "))
        .join("\n")}`;
      throw err;
    }
    throw wrap(`unexpected failure: ${safeMessage(err, values)}`, operation);
  } finally {
    operationEnded();
  }
}
