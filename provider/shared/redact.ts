/**
 * Redaction: removes known secrets from text that came from somewhere we do not control
 * (a server's error message, an SDK's exception). A secret is removed as it is, and in
 * the encodings it travels in (base64 for Milvus, URL encoding and JSON escaping for HTTP).
 */

const MASK = "[redacted]";

/** A secret as it is and in every encoding it may travel in (at least 4 characters long). */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(Buffer.from(secret, "utf8").toString("base64"));
  forms.add(Buffer.from(secret, "utf8").toString("base64").replace(/=+$/, ""));
  forms.add(Buffer.from(secret, "utf8").toString("base64url"));
  forms.add(encodeURIComponent(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter((f) => f.length >= 4);
}

/** Replaces every occurrence of each secret (and its usual encodings) in `text`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  const forms = secrets
    .filter((s): s is string => typeof s === "string" && s.length > 0)
    .flatMap(secretForms)
    // longest first, so that a secret that contains another one is removed whole
    .sort((a, b) => b.length - a.length);
  for (const form of forms) {
    out = out.split(form).join(MASK);
  }
  return out;
}

/** The message of any thrown value, redacted. */
export function safeMessage(err: unknown, secrets: ReadonlyArray<string | undefined>): string {
  const raw = err instanceof Error ? err.message : typeof err === "string" ? err : JSON.stringify(err);
  return redact(raw ?? String(err), secrets);
}
