/**
 * The hold proxy moved to harness/hold-proxy.ts (scripts/soak.ts uses it too, and nothing outside
 * test/ may import from test/). This re-export keeps the importers that have not moved yet
 * compiling; it goes once none is left.
 */
export { HoldProxy, type HoldProxyFault } from "../../harness/hold-proxy";
