import type * as pulumi from "@pulumi/pulumi";

/** A field's value as an argument: scalars as they are, objects with Input fields (optional ones too). */
type InputifyField<V> = V extends string | number | boolean | undefined | null ? V : Inputify<V>;

/** The resource arguments of an inputs type: every field, nested ones too, may be an Output. */
export type Inputify<T> = { [K in keyof T]: pulumi.Input<InputifyField<Exclude<T[K], undefined>>> };

/**
 * True when A and B name the same fields and each is assignable to the other: how the
 * documented argument interfaces are held to the zod schemas (see each resource's schema.ts).
 */
export type SameFields<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
