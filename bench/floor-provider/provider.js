// The strict floor's dynamic provider (bench/run.ts, scenario `strictfloor`): methods that
// return at once. bench/run.ts copies this folder into the bench project's node_modules as
// `pdp-bench-floor`, and bench/program registers each resource with a `__provider` that
// requires it by package path, the text pulumi-db-passwords registers for its own providers
// (provider/shared/dynamic.ts `providerReference`). So neither the floor nor our resources run
// Pulumi's closure serializer, in the program or in the dynamic provider host, and the
// difference between them is the work of our providers alone.
"use strict";

exports.check = async (_olds, news) => ({ inputs: news });
exports.diff = async (_id, olds, news) => ({ changes: olds.round !== news.round });
exports.create = async (inputs) => ({ id: inputs.name, outs: inputs });
exports.read = async (id, props) => ({ id, props });
exports.update = async (_id, _olds, news) => ({ outs: news });
exports.delete = async () => {};
