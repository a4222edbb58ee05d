/**
 * Which keys depend on which, as this instance learnt it from its own `set(key, value, { dependsOn })` calls
 * (remote keys both sides). Bounded: at most `maxEdges` edges; beyond that the oldest dependency's edges are
 * forgotten (counted), which only matters when there is no L2 to ask (edges also live in L2 as dependency tags).
 */
export class DependencyGraph {
  /** dependency -> its dependents. */
  readonly #dependents = new Map<string, Set<string>>();
  readonly #maxEdges: number;
  #edges = 0;
  /** Edges forgotten to stay within maxEdges. */
  forgotten = 0;

  constructor(maxEdges = 100_000) {
    this.#maxEdges = maxEdges;
  }

  get edges(): number {
    return this.#edges;
  }

  add(dependent: string, dependency: string): void {
    if (dependent === dependency) return;
    let set = this.#dependents.get(dependency);
    if (set === undefined) {
      set = new Set();
      this.#dependents.set(dependency, set);
    }
    if (set.has(dependent)) return;
    set.add(dependent);
    this.#edges++;
    while (this.#edges > this.#maxEdges) {
      const oldest = this.#dependents.entries().next().value;
      if (oldest === undefined) break;
      this.#dependents.delete(oldest[0]);
      this.#edges -= oldest[1].size;
      this.forgotten += oldest[1].size;
    }
  }

  dependentsOf(dependency: string): ReadonlySet<string> | undefined {
    return this.#dependents.get(dependency);
  }

  /** Forgets the edges out of an invalidated key (its dependents were invalidated with it). */
  drop(dependency: string): void {
    const set = this.#dependents.get(dependency);
    if (set === undefined) return;
    this.#edges -= set.size;
    this.#dependents.delete(dependency);
  }

  clear(): void {
    this.#dependents.clear();
    this.#edges = 0;
  }
}

/**
 * Every key reachable from `roots` through dependents (roots included), breadth first, each once (cycles end
 * there), at most `limit` keys. `lookup` returns the dependents of a batch of keys (local graph plus L2).
 */
export async function dependencyClosure(
  roots: readonly string[],
  lookup: (keys: readonly string[]) => Promise<string[][]>,
  limit: number,
): Promise<{ keys: string[]; truncated: boolean }> {
  const seen = new Set<string>(roots);
  let frontier = [...seen];
  let truncated = false;
  while (frontier.length > 0) {
    const found = await lookup(frontier);
    const next: string[] = [];
    for (const list of found) {
      for (const k of list) {
        if (seen.has(k)) continue;
        if (seen.size >= limit) {
          truncated = true;
          break;
        }
        seen.add(k);
        next.push(k);
      }
    }
    frontier = next;
  }
  return { keys: [...seen], truncated };
}
