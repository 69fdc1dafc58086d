import { describe, expect, it } from 'vitest';
import { parseEvent, type Observation } from './event.js';
import { exposition, wantsOpenMetrics } from './exposition.js';
import { Fleet } from './fleet.js';
import { boundary, type DurationSketch, mergeSketches, sketchQuantile } from './sketch.js';

const GAMMA = 1.01 / 0.99;

/** A sketch of `values` built by the definition (linear search of the chain). */
function sketchOf(values: number[]): DurationSketch {
  const indexes = values.map((x) => {
    let i = 0;
    while (x > boundary(GAMMA, i)) i += 1;
    while (i > -690 && x <= boundary(GAMMA, i - 1)) i -= 1;
    return i;
  });
  const low = Math.min(...indexes);
  const bins = new Array<number>(Math.max(...indexes) - low + 1).fill(0);
  for (const i of indexes) bins[i - low]! += 1;
  return {
    gamma: GAMMA,
    index_offset: low,
    bin_counts: bins,
    zero_count: 0,
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

function observation(instance: string, values: number[], time: number, count = values.length): Observation {
  return {
    service: 'orders',
    operation: 'create',
    instance,
    time,
    count,
    errors: 1,
    sketch: sketchOf(values),
    dropped: 0,
  };
}

describe('merged sketches', () => {
  it('give the quantiles of the union within 1 %', () => {
    const a = Array.from({ length: 500 }, (_, i) => 0.5 + i * 0.01);
    const b = Array.from({ length: 300 }, (_, i) => 40 + i * 0.7);
    const merged = mergeSketches([sketchOf(a), sketchOf(b)])!;
    const union = [...a, ...b].sort((x, y) => x - y);
    expect(merged.count).toBe(800);
    for (const q of [0.01, 0.5, 0.9, 0.99, 1]) {
      const exact = union[Math.ceil(q * union.length) - 1]!;
      expect(Math.abs(sketchQuantile(merged, q) - exact)).toBeLessThanOrEqual(0.01 * exact);
    }
  });

  it('of nothing is nothing, and empty sketches add nothing', () => {
    expect(mergeSketches([])).toBeUndefined();
    const empty: DurationSketch = { ...sketchOf([1]), bin_counts: [], count: 0, index_offset: 0 };
    expect(sketchQuantile(mergeSketches([empty, sketchOf([2])])!, 0.5)).toBeCloseTo(2, 1);
  });
});

describe('the fleet', () => {
  it('sums counts and rates over instances, marks a silent one stale, then drops it', () => {
    const fleet = new Fleet(10);
    fleet.observe(observation('a', [1, 2, 3], 0, 100));
    fleet.observe(observation('a', [1, 2, 3], 10_000, 200));
    fleet.observe(observation('b', [4, 5], 40_000, 50));
    let [row] = fleet.rows(40_000);
    expect(row).toMatchObject({ instances: 2, stale: 0, count: 250, errors: 2, rate: 10, samples: 5 });
    [row] = fleet.rows(10_000 + 31_000);
    expect(row!.stale).toBe(1);
    [row] = fleet.rows(10_000 + 61_000);
    expect(row).toMatchObject({ instances: 1, count: 50 });
  });

  it('ignores an instance event older than the one it has, and counts a foreign gamma as invalid', () => {
    const fleet = new Fleet(10);
    fleet.observe(observation('a', [1], 5_000, 7));
    fleet.observe(observation('a', [1], 1_000, 3));
    fleet.observe({ ...observation('b', [1], 5_000), sketch: { ...sketchOf([1]), gamma: 1.05 } });
    expect(fleet.rows(5_000)[0]).toMatchObject({ instances: 1, count: 7 });
    expect(fleet.invalid).toBe(1);
    expect(fleet.lastInvalid).toContain('sketch.gamma');
  });
});

describe('events', () => {
  it('are read from either envelope, and anything else is named invalid', () => {
    const payload = {
      service_name: 'orders',
      operation: 'create',
      timestamp: '2026-12-02T10:00:00.000Z',
      statistics: { count: 3, errors: 1, p99: 3 },
      sketch: sketchOf([1, 2, 3]),
      dropped_events: 0,
    };
    const onex = parseEvent(JSON.stringify({ payload, metadata: { tags: { instance: 'host-1' } } }));
    expect(onex).toMatchObject({ kind: 'operation', observation: { instance: 'host-1', count: 3 } });
    const bridge = parseEvent(JSON.stringify({ payload, source_instance: 'host-2', metadata: {} }));
    expect(bridge).toMatchObject({ kind: 'operation', observation: { instance: 'host-2' } });
    expect(parseEvent(JSON.stringify({ payload: { operations: {} } }))).toEqual({ kind: 'other' });
    expect(parseEvent('{')).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(parseEvent(JSON.stringify({ payload: { ...payload, sketch: undefined } }))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^payload\.sketch/),
    });
  });
});

describe('the exposition', () => {
  it('is Prometheus text: HELP and TYPE per family, escaped labels, quantiles in seconds', () => {
    const fleet = new Fleet(10);
    fleet.observe({ ...observation('a', [2, 4, 1000], 0), service: 'or"de\\rs' });
    const text = exposition(fleet.rows(0), fleet);
    expect(text).toContain('# TYPE onex_operation_duration_seconds summary\n');
    expect(text).toContain(
      'onex_operation_duration_seconds{service="or\\"de\\\\rs",operation="create",quantile="0.99"} 1\n',
    );
    expect(text).toContain('onex_operation_calls_total{service="or\\"de\\\\rs",operation="create"} 3\n');
    expect(text.endsWith('onex_watch_invalid_events_total 0\n')).toBe(true);
  });

  it('is OpenMetrics when asked: counter families without _total, # EOF at the end', () => {
    const fleet = new Fleet(10);
    fleet.observe(observation('a', [2, 4], 0));
    const text = exposition(fleet.rows(0), fleet, { openMetrics: true });
    expect(text).toContain('# TYPE onex_operation_calls counter\n');
    expect(text).toContain('onex_operation_calls_total{service="orders",operation="create"} 2\n');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5')).toBe(true);
    expect(wantsOpenMetrics(undefined)).toBe(false);
  });
});
