import type * as pulumi from "@pulumi/pulumi";

/** A field's value as an argument: scalars as they are, objects with Input fields (optional ones too). */
type InputifyField<V> = V extends string | number | boolean | undefined | null ? V : Inputify<V>;

/** The resource arguments of an inputs type: every field, nested ones too, may be an Output. */
export type Inputify<T> = { [K in keyof T]: pulumi.Input<InputifyField<T[K]>> };
