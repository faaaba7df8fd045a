import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import type { Problem } from './checks.js'

/** One request of a pool, built once; the load rotates through them. */
export interface PooledRequest {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

/**
 * What a scenario sends and what it accepts: request `i` of the pool, and the
 * check of the response to request `i`. Every request takes the next entry
 * of the pool, across all connections, so consecutive requests carry
 * different tokens and clients.
 */
export interface Load {
  requests: readonly PooledRequest[]
  check(index: number, status: number, body: string): Problem
  /** Send the whole pool once before the warm-up, for scenarios measured with every token already cached. */
  warmPass?: boolean
}

export interface Measurement {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Requests answered in the measured run, every one of them checked. */
  requests: number
  /** Server CPU (user + system) per request, in µs; undefined where /proc is unavailable. */
  cpuMicrosPerRequest: number | undefined
  /** How far the server's counter (see `measure`) moved per request of the measured run; undefined without one. */
  countedPerRequest: number | undefined
}

/** Why a run is not a measurement: how many responses were wrong or lost, and the first. */
export interface Failure {
  failures: number
  first: string
}

export interface Driver {
  connections: number
  warmupSeconds: number
  durationSeconds: number
}

/**
 * Warms up (with `load.warmPass`, one pass through the pool first, so every
 * token has been seen once; then `warmupSeconds`), then measures for
 * `durationSeconds`. The three go on through the pool from where the last
 * stopped, so a pool larger than a cache stays as cold as it was warmed.
 * Every response of all three is checked; the first wrong one stops the run,
 * which is then a failure, not a measurement. `counter`, when given, reads a
 * count the server keeps (signature checks), before and after the measured run.
 */
export async function measure(
  driver: Driver,
  url: string,
  load: Load,
  serverPid: number | undefined,
  counter?: () => Promise<number | undefined>,
): Promise<Measurement | Failure> {
  const cursor = { next: 0 }
  if (load.warmPass) {
    const pass = await drive(url, load, cursor, { connections: Math.min(driver.connections, load.requests.length), amount: load.requests.length })
    if ('failures' in pass) return pass
  }
  if (driver.warmupSeconds > 0) {
    const warmup = await drive(url, load, cursor, { connections: driver.connections, duration: driver.warmupSeconds })
    if ('failures' in warmup) return warmup
  }
  const countBefore = await counter?.()
  const cpuBefore = cpuMillis(serverPid)
  const run = await drive(url, load, cursor, { connections: driver.connections, duration: driver.durationSeconds })
  const cpuAfter = cpuMillis(serverPid)
  const countAfter = await counter?.()
  if ('failures' in run) return run
  const { result } = run
  return {
    countedPerRequest: countBefore === undefined || countAfter === undefined ? undefined : round2((countAfter - countBefore) / result.requests.total),
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    cpuMicrosPerRequest: cpuBefore === undefined || cpuAfter === undefined ? undefined : round1(((cpuAfter - cpuBefore) * 1000) / result.requests.total),
  }
}

/**
 * Sends each request of the pool once, `connections` at a time, and hands
 * every response to `accept` (after the load's own check): how the pools of
 * tokens are issued. Throws on the first wrong response.
 */
export async function sendEach(url: string, load: Load, connections: number, accept: (index: number, body: string) => void): Promise<void> {
  const outcome = await drive(url, load, { next: 0 }, { connections: Math.min(connections, load.requests.length), amount: load.requests.length }, accept)
  if ('failures' in outcome) throw new Error(`${outcome.failures} wrong responses while building a pool; the first: ${outcome.first}`)
  if (outcome.result.requests.total !== load.requests.length) {
    throw new Error(`${outcome.result.requests.total} of ${load.requests.length} responses arrived while building a pool`)
  }
}

interface Shape {
  connections: number
  duration?: number
  amount?: number
}

type Stoppable = Promise<autocannon.Result> & { stop(): void }

async function drive(
  url: string,
  load: Load,
  cursor: { next: number },
  shape: Shape,
  accept?: (index: number, body: string) => void,
): Promise<{ result: autocannon.Result } | Failure> {
  let failures = 0
  let first: string | undefined
  let instance: Stoppable | undefined
  const size = load.requests.length
  instance = autocannon({
    url,
    ...shape,
    requests: [
      {
        // The request object autocannon passes is its own copy; the pooled one is never changed.
        setupRequest: (request, context) => {
          const index = cursor.next++ % size
          ;(context as { index: number }).index = index
          return { ...request, ...load.requests[index] }
        },
        onResponse: (status, body, context) => {
          const index = (context as { index: number }).index
          const problem = load.check(index, status, body)
          if (problem === undefined) return accept?.(index, body)
          failures++
          if (first === undefined) {
            first = problem
            instance?.stop()
          }
        },
      },
    ],
  }) as Stoppable
  const result = await instance
  const lost = result.errors + result.timeouts
  // A non-2xx answer is also a failed check; errors and timeouts never reach onResponse.
  if (failures || lost || result.non2xx) {
    return { failures: failures + lost, first: first ?? `${result.errors} connection errors, ${result.timeouts} timeouts` }
  }
  return { result }
}

/** User + system CPU time of a process from /proc, in ms (clock ticks are 10 ms on Linux); undefined elsewhere. */
function cpuMillis(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
