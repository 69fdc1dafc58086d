/**
 * Duration sketches as operation events carry them, merged across instances.
 *
 * Bucket `i` counts durations in `(b(i − 1), b(i)]`, `b(0) = 1` ms, each boundary
 * `gamma` times the one before it, computed by the same chain of double-precision
 * products and quotients as the generated code, so counts of the same `gamma` add
 * up index by index and a quantile read from the sum keeps the sketch's accuracy.
 */

export interface DurationSketch {
  gamma: number;
  index_offset: number;
  bin_counts: number[];
  zero_count: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Several instances' sketches of one gamma as one: counts added index by index. */
export function mergeSketches(sketches: readonly DurationSketch[]): DurationSketch | undefined {
  const first = sketches[0];
  if (first === undefined) return undefined;
  const filled = sketches.filter((sketch) => sketch.bin_counts.length > 0);
  const low = Math.min(...filled.map((sketch) => sketch.index_offset));
  const high = Math.max(...filled.map((sketch) => sketch.index_offset + sketch.bin_counts.length - 1));
  const bins = filled.length === 0 ? [] : new Array<number>(high - low + 1).fill(0);
  for (const sketch of filled) {
    sketch.bin_counts.forEach((count, offset) => {
      bins[sketch.index_offset + offset - low]! += count;
    });
  }
  const counted = sketches.filter((sketch) => sketch.count > 0);
  return {
    gamma: first.gamma,
    index_offset: filled.length === 0 ? 0 : low,
    bin_counts: bins,
    zero_count: sketches.reduce((sum, sketch) => sum + sketch.zero_count, 0),
    count: sketches.reduce((sum, sketch) => sum + sketch.count, 0),
    sum: sketches.reduce((sum, sketch) => sum + sketch.sum, 0),
    min: counted.length === 0 ? 0 : Math.min(...counted.map((sketch) => sketch.min)),
    max: counted.length === 0 ? 0 : Math.max(...counted.map((sketch) => sketch.max)),
  };
}

const chains = new Map<number, { up: number[]; down: number[] }>();

/** `b(index)` for `gamma`, by the generated code's chain (cached per gamma). */
export function boundary(gamma: number, index: number): number {
  let chain = chains.get(gamma);
  if (chain === undefined) {
    chain = { up: [1], down: [1] };
    chains.set(gamma, chain);
  }
  const side = index >= 0 ? chain.up : chain.down;
  for (let k = side.length; k <= Math.abs(index); k += 1) {
    side.push(index >= 0 ? side[k - 1]! * gamma : side[k - 1]! / gamma);
  }
  return side[Math.abs(index)]!;
}

/**
 * The nearest-rank quantile `q` (0 < q ≤ 1) a sketch gives: the representative value
 * `2 b(i) / (gamma + 1)` of the bucket holding rank `ceil(q · count)`, clamped to the
 * exact min and max; 0 for an empty sketch or a rank among the zero counts.
 */
export function sketchQuantile(sketch: DurationSketch, q: number): number {
  if (sketch.count === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sketch.count));
  let seen = sketch.zero_count;
  if (rank <= seen) return 0;
  for (let offset = 0; offset < sketch.bin_counts.length; offset += 1) {
    seen += sketch.bin_counts[offset]!;
    if (rank <= seen) {
      const value = (2 * boundary(sketch.gamma, sketch.index_offset + offset)) / (sketch.gamma + 1);
      return Math.min(sketch.max, Math.max(sketch.min, value));
    }
  }
  return sketch.max;
}
