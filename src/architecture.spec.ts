/**
 * The pack's structure: dependencies between folders run one way. Each folder of `src/`
 * is a node; an import from a file in one folder of a file in another is an edge (type
 * imports included). A cycle fails the test and names the folders in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;
const REPO = path.dirname(SRC);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'templates' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** Folder → the folders its files import from. */
export function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const folder = (file: string) => path.relative(REPO, path.dirname(file)).split(path.sep).join('/');
  for (const file of sourceFiles(SRC)) {
    const from = folder(file);
    if (!graph.has(from)) graph.set(from, new Set());
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)) {
      const to = folder(path.resolve(path.dirname(file), specifier!));
      if (to !== from) graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** The cycles of a graph, each as the folders in it (Tarjan's strongly connected components). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    indexes.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexes.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, indexes.get(next)!));
      }
    }
    if (low.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexes.has(node)) visit(node);
  return found;
}

describe('the structure of src/', () => {
  it('has no cycle between folders (the listing shows who depends on whom)', () => {
    const graph = folderGraph();
    const listing = [...graph]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([from, to]) => `${from} → ${[...to].sort().join(', ') || '(nothing)'}`);
    console.log(listing.join('\n'));
    expect(graph.get('src/core')).toEqual(new Set());
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });
});
