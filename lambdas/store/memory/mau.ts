/** In-memory MauStore: for unit tests and as the contract suite's reference. */
import type { MauMark, MauStore } from '../../core/stores';

export class MemoryMauStore implements MauStore {
  readonly #marks = new Set<string>();
  readonly #counts = new Map<string, number>();

  async markActive(mark: MauMark): Promise<boolean> {
    const key = `${mark.month}#${mark.provider}#${mark.userId}`;
    if (this.#marks.has(key)) return false;
    this.#marks.add(key);
    this.#counts.set(mark.month, (this.#counts.get(mark.month) ?? 0) + 1);
    return true;
  }

  async count(month: string): Promise<number> {
    return this.#counts.get(month) ?? 0;
  }
}
