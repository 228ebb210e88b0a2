// Wasm memory held by objects the caller drops without dispose(): prepared layers, loaded models
// and createTensor tensors. When the engine collects such an object, a FinalizationRegistry
// frees the blocks it held, so forgotten objects no longer fill the 4 GiB memory for good.
// dispose() stays the documented way: collection happens when the engine decides (never within
// the synchronous job that dropped the object), and an engine without FinalizationRegistry
// reclaims nothing.

/** What an owner holds. It must not refer to its owner, or the owner is never collected. */
export interface Held {
  release(): void;
}

const registry =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Held>((held) => held.release()) : undefined;

/** Frees `held` when `owner` is collected, unless forget(token) came first (token: the owner by default). */
export function releaseWhenCollected(owner: object, held: Held, token: object = owner): void {
  registry?.register(owner, held, token);
}

/** The owner released its blocks itself (dispose()): collection must not free them again. */
export function forget(token: object): void {
  registry?.unregister(token);
}
