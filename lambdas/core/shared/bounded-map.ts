/**
 * A Map with a size bound for per-container caches: writing a key moves it to the end,
 * and past `max` entries the least recently written one is dropped. Reads do not reorder
 * (they stay a plain Map lookup on the fast path), so it is "LRU-ish": entries that are
 * re-checked (re-written) stay, the ones nobody uses age out.
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`BoundedMap: max must be a positive integer, got ${max}`);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: V): this {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }
}
