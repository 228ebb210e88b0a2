// The order in which a GEMM walks its weight panels, shared by every tile.

import { F32 } from "../common";
import { NR } from "./pack";

/** Packed weights above this size are walked a few panels at a time over all rows (see below). */
const PANEL_MAJOR_BYTES: usize = 256 << 10;

/**
 * How many panels each sweep over the rows covers. Small weights stay in cache while each tile
 * of rows sweeps every panel. Weights larger than the L2 share would then stream from memory
 * once per tile of rows (7x7x1024 -> 1024: 4 MiB x 13), so those go `tilePanels` at a time:
 * each panel (depth x 8 floats) is read once and the rows, few when the weights are large,
 * come from cache.
 */
// @ts-ignore: decorator
@inline export function panelsAtOnce(panels: i32, depth: i32, tilePanels: i32): i32 {
  return <usize>panels * (depth + 1) * NR * F32 > PANEL_MAJOR_BYTES ? tilePanels : panels;
}
