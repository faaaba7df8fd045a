/**
 * A small map whose entries end at a given instant and whose size is capped;
 * when full, the oldest insertion makes room. Callers pass `now` in the same
 * unit as the expiries they set.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>()

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.until <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: V, until: number): void {
    if (this.maxEntries <= 0) return
    this.#entries.delete(key)
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, { value, until })
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }

  /** Deletes every entry whose key `matches`; a walk over all entries, for rare invalidations. */
  deleteWhere(matches: (key: string) => boolean): void {
    for (const key of this.#entries.keys()) if (matches(key)) this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }

  get size(): number {
    return this.#entries.size
  }
}
