import { operationEnded, operationStarted } from "./engine";
import { DbPasswordError } from "./errors";
import { redact, safeMessage } from "./redact";

/**
 * Runs one provider operation so that whatever it throws is a DbPasswordError whose message
 * and stack hold none of `secrets`. An unexpected error becomes `wrap(message)`. Operations
 * are counted, so that an orphaned provider process ends only between them (engine.ts).
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
      const clean = redact(err.message, values);
      if (clean !== err.message) throw wrap(clean, operation);
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
