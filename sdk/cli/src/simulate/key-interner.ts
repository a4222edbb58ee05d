/**
 * Maps trace keys (and keys a model predicts, which may never occur in the trace) to dense integer ids for the
 * policy's DenseIndex. Grows with the distinct keys seen or predicted: the replay's own bookkeeping, not the model's.
 */
export class KeyInterner {
  private readonly ids = new Map<string, number>();

  id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }

  get size(): number {
    return this.ids.size;
  }
}
