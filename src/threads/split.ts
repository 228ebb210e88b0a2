// How a kernel call is cut into items for the threads: enough items per thread that one slow
// thread does not hold the others up (XNNPACK aims at several tiles per thread too), each a whole
// number of GEMM tiles, output rows or bands, so no output is computed differently.

/** Below this many multiply-adds a call runs on its own thread: waking workers costs more. */
export const MIN_PARALLEL_MACS = 1 << 18;
/** Items per thread a call is cut into, where its size allows. */
export const ITEMS_PER_THREAD = 4;
/** Rows of a GEMM item: a multiple of every tile's MR (2, 4, 6), so items hold whole tiles. */
const ROW_GROUP = 12;

/** A reusable result (splitting allocates nothing). */
export interface Split {
  /** Items in all. */
  count: number;
  /** GEMM: rows per item, column items per row item, 8-column panels per item. Others: rows or bands per item, items per image. */
  per: number;
  colItems: number;
  panelsPer: number;
}

export function newSplit(): Split {
  return { count: 0, per: 0, colItems: 1, panelsPer: 0 };
}

/** A GEMM of rows x cols: by rows where there are enough, by column panels too where not (M = 1 included). */
export function splitGemm(rows: number, cols: number, threads: number, s: Split): Split {
  const want = threads * ITEMS_PER_THREAD;
  const panels = Math.ceil(cols / 8);
  const groups = Math.ceil(rows / ROW_GROUP);
  if (groups >= want) {
    s.per = Math.ceil(groups / want) * ROW_GROUP;
    s.colItems = 1;
    s.panelsPer = panels;
  } else {
    s.per = Math.min(rows, ROW_GROUP);
    // Panel pairs, so that the 16-column tile keeps its pairs.
    const pairs = Math.ceil(panels / 2);
    const colItems = Math.min(pairs, Math.ceil(want / groups));
    s.panelsPer = Math.ceil(pairs / colItems) * 2;
    s.colItems = Math.ceil(panels / s.panelsPer);
  }
  s.count = Math.ceil(rows / s.per) * s.colItems;
  return s;
}

/** `units` rows (or bands) per image over a batch: items of whole units, never across images. */
export function splitUnits(units: number, batch: number, threads: number, s: Split): Split {
  const want = threads * ITEMS_PER_THREAD;
  s.per = Math.max(1, Math.min(units, Math.ceil((units * batch) / want)));
  s.colItems = Math.ceil(units / s.per);
  s.panelsPer = 0;
  s.count = s.colItems * batch;
  return s;
}

/**
 * Rows per item for `rows` rows among `threads` threads, in items of at least `minRows` rows
 * (where there are that many per thread) and at most `perThread` items per thread: the count
 * whose busiest thread has the fewest rows, the most items among equals (so a thread that
 * starts late still gets a share). 28 rows, 2 threads, bands of 4: 4 items of 7 rows (14 each),
 * not 7 of 4 (16 and 12).
 */
export function rowsPerItem(rows: number, threads: number, minRows: number, perThread: number): number {
  const least = Math.min(minRows, Math.ceil(rows / threads));
  let best = Math.ceil(rows / threads);
  let bestLoad = best;
  for (let k = 2; k <= perThread; k++) {
    const per = Math.ceil(rows / (threads * k));
    if (per < least) break;
    const items = Math.ceil(rows / per);
    const load = Math.min(rows, Math.ceil(items / threads) * per);
    if (load <= bestLoad) {
      best = per;
      bestLoad = load;
    }
  }
  return best;
}
