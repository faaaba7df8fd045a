import { availableParallelism } from 'node:os'
import type { Driver, Failure, Measurement } from './load.js'
import type { GatehouseSettings } from './protocol.js'

export interface Row extends Partial<Measurement> {
  name: string
  description: string
  /** `failed`: some response was wrong, lost or not 2xx, or the server's settings did not fit the scenario; no figures. */
  status: 'measured' | 'failed'
  failure?: Failure
  /** Median over rounds of this row's req/s ÷ the adjacent baseline run's. */
  ratio?: number
  /** The oidc-provider row this one is compared with, and this row's ratio ÷ that row's. */
  comparedWith?: string
  vsOidcProvider?: number
  /** The Gatehouse settings the row ran with. */
  settings?: GatehouseSettings
  target?: number
  meetsTarget?: boolean
}

export function printTable(rows: Row[], run: Driver & { rounds: number }): void {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'vs baseline', 'vs oidc-provider', 'target', 'CPU µs/req', 'sig checks/req', '']
  const lines = rows.map((row) =>
    row.status === 'failed'
      ? [row.name, '—', '—', '—', '—', '—', target(row), '—', '—', `FAILED (${row.failure!.failures} wrong): ${row.failure!.first}`]
      : [
          row.name,
          String(row.requestsPerSecond),
          String(row.p50Ms),
          String(row.p99Ms),
          row.ratio!.toFixed(2),
          row.vsOidcProvider === undefined ? '' : row.vsOidcProvider.toFixed(2),
          target(row),
          row.cpuMicrosPerRequest === undefined ? '—' : row.cpuMicrosPerRequest.toFixed(1),
          row.countedPerRequest === undefined ? '' : row.countedPerRequest.toFixed(2),
          row.meetsTarget === undefined ? '' : row.meetsTarget ? 'ok' : 'BELOW TARGET',
        ],
  )
  const widths = header.map((_, i) => Math.max(header[i].length, ...lines.map((line) => line[i].length)))
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd()
  console.log(
    `\nnode ${process.version}, ${availableParallelism()} CPUs, ${run.connections} connections, ` +
      `${run.warmupSeconds} s warm-up (after one pass through the pool where a cache should be warm) + ${run.durationSeconds} s per run, ${run.rounds} round(s)\n`,
  )
  console.log(format(header))
  for (const line of lines) console.log(format(line))
  console.log('')
  for (const row of rows) console.log(`${row.name}: ${row.description}`)
}

function target(row: Row): string {
  return row.target ? `≥ ${row.target.toFixed(2)}` : ''
}
