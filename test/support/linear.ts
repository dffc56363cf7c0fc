/**
 * Hostile inputs for "this parser is linear" properties (test/security/linear-parsing.property.test.ts):
 * long runs of one character or one short pattern, the shapes that make backtracking regexes
 * and repeated scans super-linear, timed against an ordinary input of the same length
 * (relative timing, test/support/timing.ts).
 */
import fc from 'fast-check';
import { slowdown } from './timing';

/** CloudFront's limit for uri + querystring is 8,192 characters; a header block is 20 KB. */
export const SIZE = 8000;
/** Against an ordinary input: a linear parser stays within a constant factor; the quadratic one was ~1,000x. */
export const LIMIT = 100;
export const RUNS = 20;

const units = [
  '.', '/', '\\', '%', ';', '=', '&', ' ', '"', '_', '-', 'a', '~', '\t', '+', ',', '?', '#', 'é',
  '%2e', '%2f', '%5c', '%25', '%252e', '..', './', '../', '..;/', '.;', 'auth/', '/.', '=;', ';=', 'a=', '&=', '%%', '%2',
];
/** A run of one unit (or a short pattern) to `size`, with a prefix and a suffix that may defeat the run. */
export type Hostile = (size: number) => string;
function runOf(prefix: string, unit: string, suffix: string): Hostile {
  const build = (size: number) => prefix + unit.repeat(Math.ceil(size / unit.length)).slice(0, size - prefix.length - suffix.length) + suffix;
  build.toString = () => JSON.stringify(build(60).slice(0, 60));
  return build;
}
/** Random runs, and (as fast-check examples, always tried first) every listed unit with every suffix after the first prefix. */
export function hostile(prefixes: readonly string[], suffixes: readonly string[]): { arbitrary: fc.Arbitrary<Hostile>; examples: Hostile[] } {
  const unit = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...units) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 3 }) });
  return {
    arbitrary: fc.tuple(fc.constantFrom(...prefixes), unit, fc.constantFrom(...suffixes)).map(([p, u, x]) => runOf(p, u, x)),
    examples: units.flatMap((u) => suffixes.map((x) => runOf(prefixes[0]!, u, x))),
  };
}

export const ordinary = (pattern: string, prefix = '') => prefix + pattern.repeat(Math.ceil(SIZE / pattern.length)).slice(0, SIZE - prefix.length);

/**
 * The hostile input against an ordinary one of the same size, both measured under the same
 * load. A constant factor is fine (ordinary inputs take fast paths: ~50x at most, seen for
 * a long mixed-case header name); a super-linear parser is thousands of times slower at 8 KB.
 * (A growth measure, full size against a quarter, was tried and dropped: allocation-heavy
 * linear code shows up to ~14x there from garbage collection alone, too close to the 16x of
 * a quadratic one.)
 */
export function expectLinear(name: string, run: (input: string) => unknown, inputs: ReturnType<typeof hostile>, baseline: string): void {
  fc.assert(
    fc.property(inputs.arbitrary, (build) => {
      const { ratio, hostileNs, ordinaryNs } = slowdown(() => run(build(SIZE)), () => run(baseline), LIMIT);
      if (ratio > LIMIT) throw new Error(`${name}: ${String(build)}... is ${ratio.toFixed(1)}x an ordinary input (${(hostileNs / 1e3).toFixed(0)} µs vs ${(ordinaryNs / 1e3).toFixed(0)} µs)`);
    }),
    // fast-check counts examples within numRuns: without adding them, only the first RUNS ran.
    { numRuns: RUNS + inputs.examples.length, examples: inputs.examples.map((e) => [e] as [Hostile]) },
  );
}
