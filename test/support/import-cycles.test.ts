/**
 * No import cycles, type imports included. ESLint's
 * import-x/no-cycle (eslint.config.mjs) skips `import type`, so this test holds the rest:
 * every relative import and re-export of the shipped code and the local stack, as a graph,
 * has no strongly connected component of more than one file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function resolve(from: string, spec: string): string | undefined {
  const base = join(dirname(from), spec);
  return [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
}

function edges(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'(\.[^']+)'|import\('(\.[^']+)'\)/g)].map((m) => (m[1] ?? m[2])!);
  return specs.map((spec) => resolve(file, spec)).filter((target): target is string => target !== undefined);
}

/** Tarjan's strongly connected components; returns those with more than one file. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const state = new Map<string, { index: number; low: number; onStack: boolean }>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    state.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!state.has(w)) {
        visit(w);
        state.get(v)!.low = Math.min(state.get(v)!.low, state.get(w)!.low);
      } else if (state.get(w)!.onStack) state.get(v)!.low = Math.min(state.get(v)!.low, state.get(w)!.index);
    }
    if (state.get(v)!.low === state.get(v)!.index) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        state.get(w)!.onStack = false;
        component.push(relative(ROOT, w));
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!state.has(v)) visit(v);
  return found;
}

test('no import cycles, type imports included, in lambdas/, lib/, bin/ and local/', () => {
  const graph = new Map<string, string[]>();
  for (const dir of ['lambdas', 'lib', 'bin', 'local']) for (const file of files(join(ROOT, dir))) graph.set(file, edges(file));
  expect([...graph.values()].flat().length).toBeGreaterThan(300);
  expect(cycles(graph)).toEqual([]);
});
