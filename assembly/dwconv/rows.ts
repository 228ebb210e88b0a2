// The row pointers of the square depthwise tiles.

/**
 * Pointer ky of `rows`, the caller's room for one pointer per kernel row (the input row, or the
 * zero row outside the image): in memory the caller owns, so no kernel keeps static state and
 * two threads can run them over one memory.
 */
// @ts-ignore: decorator
@inline export function rowAt(rows: usize, ky: i32): usize {
  return load<usize>(rows + <usize>ky * sizeof<usize>());
}
