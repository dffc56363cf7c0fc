/**
 * A small timing harness. Operations run in batches; each batch is timed with
 * process.hrtime.bigint() and its per-op time is one sample. Inputs for a batch (fresh
 * CloudFront events: handlers mutate the request) are built before the clock starts.
 * ops/s = operations / timed nanoseconds; median and p99 are over the batch samples.
 * ops per CPU-second (process.cpuUsage around each timed loop, all threads: GC included) is
 * the same throughput with time lost to other processes on a shared machine taken out.
 *
 * Several benches can be interleaved (A B C A B C ...): on a shared machine, drift in load
 * then hits every bench alike, which keeps ratios between them honest.
 */
export interface Timing {
  readonly opsPerSec: number;
  readonly medianUs: number;
  readonly p99Us: number;
  readonly meanUs: number;
  /** Operations per second of this process's CPU time (user + system, all threads). */
  readonly opsPerCpuSec: number;
  readonly iterations: number;
  readonly batch: number;
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round2 = (n: number) => Math.round(n * 100) / 100;

export class Bench<T = undefined> {
  readonly #samples: number[] = [];
  #totalNs = 0;
  #cpuUs = 0;
  readonly #inputs: T[];

  /**
   * @param op the operation; a promise is awaited (one at a time, as Lambda runs one event at a time)
   * @param input builds one fresh input, outside the timed region
   * @param batch operations per timed batch
   */
  constructor(
    readonly name: string,
    private readonly op: (input: T) => unknown,
    private readonly input: () => T = () => undefined as T,
    readonly batch = 16,
    private readonly isAsync = true,
  ) {
    this.#inputs = new Array<T>(batch);
  }

  /** One batch: [wall ns, CPU µs] of the timed loop only. */
  async #batch(): Promise<[number, number]> {
    const { batch, op } = this;
    const inputs = this.#inputs;
    for (let i = 0; i < batch; i++) inputs[i] = this.input();
    const cpu = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    if (this.isAsync) for (let i = 0; i < batch; i++) await op(inputs[i]!);
    else for (let i = 0; i < batch; i++) op(inputs[i]!);
    const ns = Number(process.hrtime.bigint() - t0);
    const used = process.cpuUsage(cpu);
    return [ns, used.user + used.system];
  }

  /** Runs untimed for `ms`. */
  async warm(ms: number): Promise<void> {
    const end = performance.now() + ms;
    while (performance.now() < end) await this.#batch();
  }

  /** Runs timed for `ms` (at least one batch), adding to the samples. */
  async run(ms: number): Promise<void> {
    const end = performance.now() + ms;
    do {
      const [ns, cpuUs] = await this.#batch();
      this.#totalNs += ns;
      this.#cpuUs += cpuUs;
      this.#samples.push(ns / this.batch);
    } while (performance.now() < end);
  }

  result(): Timing {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const ops = this.#samples.length * this.batch;
    return {
      opsPerSec: Math.round((ops * 1e9) / this.#totalNs),
      medianUs: round2(quantile(sorted, 0.5) / 1000),
      p99Us: round2(quantile(sorted, 0.99) / 1000),
      meanUs: round2(this.#totalNs / ops / 1000),
      opsPerCpuSec: Math.round((ops * 1e6) / this.#cpuUs),
      iterations: ops,
      batch: this.batch,
    };
  }
}

/** Warms each bench, then runs them in turn for `rounds` rounds of `msEach` each. */
export async function interleave(benches: ReadonlyArray<Bench<any>>, options: { rounds: number; msEach: number; warmupMs: number }): Promise<Timing[]> {
  for (const b of benches) await b.warm(options.warmupMs);
  for (let r = 0; r < options.rounds; r++) {
    // Alternate the order each round, so no bench always follows the same one (GC debt, caches).
    const order = r % 2 === 0 ? benches : [...benches].reverse();
    for (const b of order) await b.run(options.msEach);
  }
  return benches.map((b) => b.result());
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
