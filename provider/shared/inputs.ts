import type * as pulumi from "@pulumi/pulumi";

/** The resource arguments of an inputs type: every field, nested ones too, may be an Output. */
export type Inputify<T> = { [K in keyof T]: pulumi.Input<T[K] extends object ? Inputify<T[K]> : T[K]> };
