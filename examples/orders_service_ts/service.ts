/**
 * A tiny service instrumented with the generated `metrics` package. Scaffold it
 * first (from the repository root): `npx plop metrics`, node directory
 * `examples/orders_service_ts`; then run `npx tsx service.ts [calls]` here.
 * Events are logged; with KAFKA_BOOTSTRAP_SERVERS set they go to Kafka.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { trackMetrics, withMetrics } from "./metrics/index.js";

export class OrdersService extends withMetrics(Object) {
  readonly #orders = new Map<string, string>();

  @trackMetrics("create_order")
  async createOrder(orderId: string): Promise<string> {
    await sleep(1);
    this.#orders.set(orderId, "created");
    return orderId;
  }

  @trackMetrics("cancel_order")
  async cancelOrder(orderId: string): Promise<void> {
    await sleep(0.5);
    if (!this.#orders.delete(orderId)) throw new Error(`no order ${orderId}`);
  }

  @trackMetrics("get_order")
  getOrder(orderId: string): string | undefined {
    return this.#orders.get(orderId);
  }
}

async function main(calls: number): Promise<void> {
  const service = new OrdersService();
  for (let i = 0; i < calls; i += 1) {
    const orderId = await service.createOrder(`order-${i}`);
    service.getOrder(orderId);
    // Every third cancel is of an order that does not exist: tracked as an error.
    await service.cancelOrder(i % 3 ? orderId : `missing-${i}`).catch(() => {});
  }
  await service.metrics.stop();
}

await main(Number(process.argv[2] ?? 250));
