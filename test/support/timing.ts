/**
 * Relative timing for "this parser is linear" tests, robust to a busy machine: no absolute
 * thresholds. Each input is run in a batch long enough to measure, batches of the hostile and
 * the ordinary input are interleaved (a burst of load hits both), and the fastest batch of
 * each counts (load only ever adds time). A ratio past the limit is measured once more
 * before it fails, so one unlucky scheduling cannot fail a test, while a super-linear
 * parser (thousands of times slower on 8 KB) fails every time.
 */

/** Nanoseconds of the fastest of `batches` batches of `reps` calls. */
function fastest(run: () => unknown, reps: number, batches: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) run();
    out.push(Number(process.hrtime.bigint() - started));
  }
  return out;
}

/** Calls per batch so that one batch of `run` takes about `targetNs`. */
function repsFor(run: () => unknown, targetNs: number): number {
  const started = process.hrtime.bigint();
  run();
  const once = Math.max(1, Number(process.hrtime.bigint() - started));
  return Math.max(1, Math.min(2000, Math.round(targetNs / once)));
}

export interface Comparison {
  readonly hostileNs: number;
  readonly ordinaryNs: number;
  readonly ratio: number;
}

function compareOnce(hostile: () => unknown, ordinary: () => unknown): Comparison {
  // Warm both (JIT), then size the batches on the ordinary input (~2 ms a batch).
  for (let i = 0; i < 3; i++) {
    hostile();
    ordinary();
  }
  const reps = repsFor(ordinary, 2e6);
  const h: number[] = [];
  const o: number[] = [];
  for (let round = 0; round < 5; round++) {
    o.push(...fastest(ordinary, reps, 1));
    h.push(...fastest(hostile, reps, 1));
  }
  const hostileNs = Math.min(...h) / reps;
  const ordinaryNs = Math.min(...o) / reps;
  return { hostileNs, ordinaryNs, ratio: hostileNs / ordinaryNs };
}

/** How many times slower the hostile input is than the ordinary one (re-measured once when past `limit`). */
export function slowdown(hostile: () => unknown, ordinary: () => unknown, limit: number): Comparison {
  const first = compareOnce(hostile, ordinary);
  return first.ratio <= limit ? first : compareOnce(hostile, ordinary);
}

/** Synchronous-looking timing of an async function is not possible; async variant for handlers. */
export async function slowdownAsync(hostile: () => Promise<unknown>, ordinary: () => Promise<unknown>, limit: number): Promise<Comparison> {
  const measure = async (): Promise<Comparison> => {
    for (let i = 0; i < 3; i++) {
      await hostile();
      await ordinary();
    }
    const time = async (run: () => Promise<unknown>, reps: number) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) await run();
      return Number(process.hrtime.bigint() - started) / reps;
    };
    const reps = 10;
    const h: number[] = [];
    const o: number[] = [];
    for (let round = 0; round < 5; round++) {
      o.push(await time(ordinary, reps));
      h.push(await time(hostile, reps));
    }
    const hostileNs = Math.min(...h);
    const ordinaryNs = Math.min(...o);
    return { hostileNs, ordinaryNs, ratio: hostileNs / ordinaryNs };
  };
  const first = await measure();
  return first.ratio <= limit ? first : measure();
}
