// Fields of objects that come from a model file or an option, read as own properties only: a
// name such as "constructor" or "__proto__" never resolves through Object.prototype, and a
// polluted prototype (Object.prototype.activation = ..., set by other code) cannot change
// what a model means.

/** `object[key]` when it is the object's own property, else undefined. */
export function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}
