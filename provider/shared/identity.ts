/**
 * What the resources for a database identity (a Milvus user, a Cassandra role) share in check
 * and diff: the identity's name, the standby that takes turns with it, and the address are
 * what the resource is (a change replaces it); the password, its trigger and schedule are
 * what an update changes; a few inputs are only stored, so that refresh and destroy use the
 * current ones.
 */
import { Diff, Scheduled, passwordDiff } from "./schedule";

export interface IdentityFields {
  /** The resource's type name, for diff notes. */
  resource: string;
  /** The input naming the identity ("user", "role"), its standby and the output naming the active one. */
  name: string;
  standby: string;
  active: string;
  /** Inputs an update only stores. */
  storedOnly: readonly string[];
}

/** The inputs or outputs of such a resource, as far as these functions read them. */
type Fields = Scheduled & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
  password?: string;
  rotationTrigger?: string;
  connection?: { address?: string };
};

/** Whether new inputs replace the resource (check, to stamp rotatedAt). */
export function identityReplaced(f: IdentityFields, inputs: Fields, old: Fields | undefined): boolean {
  return (
    !!old &&
    (inputs[f.name] !== old[f.name] ||
      inputs[f.standby] !== old[f.standby] ||
      inputs.connection?.address !== old.connection?.address)
  );
}

/**
 * The diff: `resolveAddress` gives the address the new inputs resolve to; when they do not
 * resolve yet (an unknown input), the address is not compared.
 */
export function identityDiff(
  f: IdentityFields,
  id: string,
  olds: Fields,
  news: Fields,
  resolveAddress: () => string,
): Diff {
  let newAddress: string | undefined;
  try {
    newAddress = resolveAddress();
  } catch {
    newAddress = undefined;
  }
  const replaces: string[] = [];
  if (newAddress !== undefined && newAddress !== olds.address) replaces.push("connection.address");
  if (news[f.name] !== olds[f.name]) replaces.push(f.name);
  if (news[f.standby] !== olds[f.standby]) replaces.push(f.standby);
  const { changed, notes } = passwordDiff(`${f.resource} ${id}`, olds, news, replaces.length > 0);
  // a rotation of a pair switches the active identity; the previous password becomes the standby's
  if (news[f.standby] !== undefined && changed.includes("password")) changed.push(f.active, "standbyPassword");
  // drift: the next update sets the stored password again, and it logs in
  if (olds.passwordVerified === false) changed.push("passwordVerified");
  for (const key of f.storedOnly) {
    if (JSON.stringify(news[key] ?? null) !== JSON.stringify(olds[key] ?? null)) changed.push(key);
  }
  return {
    changes: replaces.length > 0 || changed.length > 0,
    replaces,
    stables: replaces.length ? [] : [f.name, "address", f.standby],
    deleteBeforeReplace: false,
    diffs: changed,
    notes,
  };
}
