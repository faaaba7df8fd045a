/** One operation's requirement as the gate admitted calls through it, with calls counted per app. */
export interface UsageCounter {
  readonly operationId: string
  readonly scopes: readonly string[]
  /** client_id → calls admitted since the last drain. */
  readonly calls: Map<string, number>
}

/** What one app's calls through one requirement of one operation needed, since the last drain. */
export interface UsageCount {
  clientId: string
  operationId: string
  scopes: readonly string[]
  calls: number
}

/**
 * Which scopes the calls the gate let through actually needed, per app: the scopes of the requirement each
 * call met. The gate holds one counter per route and requirement, so counting a call is one map update
 * and allocates nothing; whoever stores them drains the counts in batches, off the request path.
 */
export class ScopeUsageCounters {
  readonly #counters: UsageCounter[] = []

  counterFor(operationId: string, scopes: readonly string[]): UsageCounter {
    const counter = { operationId, scopes, calls: new Map<string, number>() }
    this.#counters.push(counter)
    return counter
  }

  /** The counts since the last drain, leaving every counter at zero. */
  drain(): UsageCount[] {
    const counts: UsageCount[] = []
    for (const counter of this.#counters) {
      if (counter.calls.size === 0) continue
      for (const [clientId, calls] of counter.calls) counts.push({ clientId, operationId: counter.operationId, scopes: counter.scopes, calls })
      counter.calls.clear()
    }
    return counts
  }
}
