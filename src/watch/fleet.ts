/**
 * The fleet as `watch` sees it: each instance's latest observation per (service,
 * operation), merged into fleet figures. An instance silent for 3 publish intervals is
 * marked stale (still counted), after 6 it is dropped.
 */
import type { Observation } from './event.js';
import { type DurationSketch, mergeSketches, sketchQuantile } from './sketch.js';

export const STALE_INTERVALS = 3;
export const DROP_INTERVALS = 6;

export interface FleetRow {
  service: string;
  operation: string;
  /** Instances reporting, and how many of them are stale. */
  instances: number;
  stale: number;
  /** Lifetime calls and errors, summed over the instances. */
  count: number;
  errors: number;
  error_rate: number;
  /** Calls a second, summed over the instances (from each one's last two events). */
  rate: number;
  /** Fleet percentiles (ms) from the merged sketch, keyed `p50`, `p99`, `p99_9`…; `max` exact. */
  percentiles: Record<string, number>;
  max: number;
  /** Durations in the merged windows. */
  samples: number;
  /** Events the instances dropped, summed (their latest `dropped_events`). */
  dropped: number;
  /** Seconds since the freshest event of the row. */
  age_seconds: number;
  /** The merged sketch itself, for exposition. */
  sketch: DurationSketch;
}

interface InstanceState {
  observation: Observation;
  seenAt: number;
  rate: number;
}

/** `0.999` → `p99_9`, as the events name percentiles. */
export function percentileKey(q: number): string {
  return `p${String(Math.round(q * 100_000) / 1000).replace('.', '_')}`;
}

export class Fleet {
  readonly #instances = new Map<string, Map<string, InstanceState>>();
  events = 0;
  invalid = 0;
  lastInvalid: string | undefined;

  constructor(
    readonly intervalSeconds: number,
    readonly quantiles: readonly number[] = [0.5, 0.95, 0.99],
  ) {}

  /**
   * Records an instance's view of an operation, as of its event's time: events read
   * late (a backlog, another partition) count as old as they are, and an older one
   * than the instance's latest changes nothing.
   */
  observe(observation: Observation): void {
    const now = observation.time;
    const key = `${observation.service}\u0000${observation.operation}`;
    let instances = this.#instances.get(key);
    if (instances === undefined) {
      instances = new Map();
      this.#instances.set(key, instances);
    }
    const previous = instances.get(observation.instance);
    if (previous !== undefined && now < previous.seenAt) {
      this.events += 1;
      return;
    }
    const other = instances.values().next().value;
    if (other !== undefined && other.observation.sketch.gamma !== observation.sketch.gamma) {
      this.rejected(
        `sketch.gamma: ${observation.sketch.gamma}, where other instances of ${observation.service} ${observation.operation} use ${other.observation.sketch.gamma}`,
      );
      return;
    }
    let rate = previous?.rate ?? 0;
    if (previous !== undefined && now > previous.seenAt && observation.count >= previous.observation.count) {
      rate = ((observation.count - previous.observation.count) * 1000) / (now - previous.seenAt);
    }
    instances.set(observation.instance, { observation, seenAt: now, rate });
    this.events += 1;
  }

  rejected(reason: string): void {
    this.invalid += 1;
    this.lastInvalid = reason;
  }

  /** The fleet now (`now` in ms): one row per (service, operation), sorted. */
  rows(now: number): FleetRow[] {
    const intervalMs = this.intervalSeconds * 1000;
    const rows: FleetRow[] = [];
    for (const [key, instances] of this.#instances) {
      for (const [instance, state] of instances) {
        if (now - state.seenAt > DROP_INTERVALS * intervalMs) instances.delete(instance);
      }
      if (instances.size === 0) {
        this.#instances.delete(key);
        continue;
      }
      const states = [...instances.values()];
      const sketch = mergeSketches(states.map((state) => state.observation.sketch))!;
      const count = states.reduce((sum, state) => sum + state.observation.count, 0);
      const errors = states.reduce((sum, state) => sum + state.observation.errors, 0);
      const { service, operation } = states[0]!.observation;
      rows.push({
        service,
        operation,
        instances: states.length,
        stale: states.filter((state) => now - state.seenAt > STALE_INTERVALS * intervalMs).length,
        count,
        errors,
        error_rate: count === 0 ? 0 : errors / count,
        rate: states.reduce((sum, state) => sum + state.rate, 0),
        percentiles: Object.fromEntries(this.quantiles.map((q) => [percentileKey(q), sketchQuantile(sketch, q)])),
        max: sketch.max,
        samples: sketch.count,
        dropped: states.reduce((sum, state) => sum + state.observation.dropped, 0),
        age_seconds: (now - Math.max(...states.map((state) => state.seenAt))) / 1000,
        sketch,
      });
    }
    return rows.sort((a, b) => a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation));
  }
}
