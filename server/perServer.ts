/**
 * One `T` per server object (its live bus, its database), made on first use.
 *
 * Kept on globalThis under `Symbol.for('crux.' + name)` because Next's route bundles and the
 * server entry load the same module separately, and each copy must find the one value; keyed by
 * the server object because tests run several servers in one process.
 */
export function perServer<T>(name: string, owner: object, make: () => T): T {
  const g = globalThis as unknown as Record<symbol, WeakMap<object, T> | undefined>;
  const key = Symbol.for(`crux.${name}`);
  const byOwner = (g[key] ??= new WeakMap<object, T>());
  let value = byOwner.get(owner);
  if (value === undefined) {
    value = make();
    byOwner.set(owner, value);
  }
  return value;
}
