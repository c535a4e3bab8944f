/**
 * Pulumi serializes a dynamic provider object into every resource's state and evaluates it
 * again in the dynamic provider host, where a relative require does not resolve. This
 * factory makes a provider whose methods require the implementation by package path when
 * they run: the serialized text is a few hundred bytes (the captured path and the method
 * bodies) and holds no secret, client or SDK.
 */
import type * as pulumi from "@pulumi/pulumi";

interface Operations<I, O> {
  check(olds: unknown, news: unknown): Promise<pulumi.dynamic.CheckResult<I>>;
  diff(id: string, olds: O, news: I): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: I): Promise<pulumi.dynamic.CreateResult<O>>;
  read(id: string, props: O): Promise<pulumi.dynamic.ReadResult<O>>;
  update(id: string, olds: O, news: I): Promise<pulumi.dynamic.UpdateResult<O>>;
  remove(id: string, props: O): Promise<void>;
}

export function lazyProvider<I, O>(modulePath: string) {
  return {
    async check(olds: I, news: I) {
      return (require(modulePath) as Operations<I, O>).check(olds, news);
    },
    async diff(id: string, olds: O, news: I) {
      return (require(modulePath) as Operations<I, O>).diff(id, olds, news);
    },
    async create(inputs: I) {
      return (require(modulePath) as Operations<I, O>).create(inputs);
    },
    async read(id: string, props?: O) {
      return props === undefined ? { id, props } : (require(modulePath) as Operations<I, O>).read(id, props);
    },
    async update(id: string, olds: O, news: I) {
      return (require(modulePath) as Operations<I, O>).update(id, olds, news);
    },
    async delete(id: string, props: O) {
      return (require(modulePath) as Operations<I, O>).remove(id, props);
    },
  } satisfies pulumi.dynamic.ResourceProvider<I, O>;
}
