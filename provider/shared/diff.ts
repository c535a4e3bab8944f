/**
 * Every resource's diff, from its spec: the replacing fields (`replaces: true`) that changed
 * replace it; the password's own inputs (a new password, a new `rotationTrigger`, a due
 * schedule) update it; so does a change of any input an update only stores, so that refresh
 * and destroy use the current ones. What a resource adds (a standby's fields, drift) it adds
 * to this answer.
 */
import { Diff, Scheduled, passwordDiff } from "./schedule";
import { ResourceSpec, Resolvers, replacePaths, replacedFields, storedInputs } from "./spec";

type Props = Scheduled & { password?: string; rotationTrigger?: string };

/** `stables`: the outputs that stay as they are when nothing replaces the resource. */
export function resourceDiff(
  spec: ResourceSpec,
  id: string,
  olds: Props,
  news: Props,
  resolvers: Resolvers,
  stables: string[] = replacePaths(spec),
): Diff {
  const replaces = replacedFields(spec, olds, news, resolvers);
  const { changed, notes } = passwordDiff(`${spec.name} ${id}`, olds, news, replaces.length > 0);
  for (const key of storedInputs(spec)) {
    const [next, previous] = [(news as Record<string, unknown>)[key], (olds as Record<string, unknown>)[key]];
    if (JSON.stringify(next ?? null) !== JSON.stringify(previous ?? null)) changed.push(key);
  }
  return {
    changes: replaces.length + changed.length > 0,
    replaces,
    stables: replaces.length ? [] : stables,
    deleteBeforeReplace: false,
    diffs: changed,
    notes,
  };
}
