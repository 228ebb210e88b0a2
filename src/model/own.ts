// Fields of objects that come from a model file or an option, read as own properties only: a
// name such as "constructor" or "__proto__" never resolves through Object.prototype, and a
// polluted prototype (Object.prototype.activation = ..., set by other code) cannot change
// what a model means.

/** `object[key]` when it is the object's own property, else undefined. */
export function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/**
 * The longest layer or weight name a model file may use. Keras names are a few dozen
 * characters; engines hash strings past about 16,000 characters by their length alone, so
 * maps of long names of one length collide and a small hostile file took minutes to load.
 */
export const MAX_NAME_LENGTH = 1024;

export function nameTooLong(field: string, name: string, op = "loadLayersModel"): RangeError {
  return new RangeError(
    `${op}: ${field} is ${name.length} characters long ("${name.slice(0, 40)}…"); ` +
      `names may have at most ${MAX_NAME_LENGTH}`,
  );
}
