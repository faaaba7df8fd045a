import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

/**
 * `npm run bench`: the baseline (bare Fastify) and Gatehouse each in a child
 * process, autocannon in this one. Prints a table and writes
 * bench/results/latest.json. Scenarios whose endpoint is not there yet are
 * reported as skipped, so the harness runs as the server grows.
 *
 * Each scenario is measured right after a baseline run and compared with it:
 * on a machine shared with other work, throughput drifts with the
 * neighbours' load, and adjacent runs drift together. Each row also has the
 * server's CPU time per request (Linux), which barely moves with that load.
 *
 * Options: --duration SECONDS (10), --warmup SECONDS (2), --connections N (50),
 * --rounds N (1; more rounds report medians), --only NAME[,NAME].
 */

interface GatehouseReady {
  url: string
  token: string
  clientId: string
  clientSecret: string
}

interface Request {
  url: string
  method: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

interface Scenario {
  name: string
  description: string
  /** Minimum share of the baseline's throughput; undefined for informative rows. */
  target?: number
  request(gatehouse: GatehouseReady): Omit<Request, 'url'> & { path: string }
}

interface Measurement {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Server CPU (user + system) per request, in µs; undefined where /proc is unavailable. */
  cpuMicrosPerRequest: number | undefined
  errors: number
  non2xx: number
}

interface Row extends Partial<Measurement> {
  name: string
  description: string
  status: 'measured' | 'skipped'
  reason?: string
  /** Median over rounds of this row's req/s ÷ the adjacent baseline's. */
  ratio?: number
  /** Median over rounds of the adjacent baseline's CPU per request ÷ this row's. */
  cpuRatio?: number
  target?: number
  meetsTarget?: boolean
}

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
})
const duration = Number(options.duration)
const warmup = Number(options.warmup)
const connections = Number(options.connections)
const rounds = Number(options.rounds)
const only = options.only?.split(',')

const form = { 'content-type': 'application/x-www-form-urlencoded' }
const basic = (g: GatehouseReady) => `Basic ${Buffer.from(`${encodeURIComponent(g.clientId)}:${encodeURIComponent(g.clientSecret)}`).toString('base64')}`

const SCENARIOS: Scenario[] = [
  {
    name: 'gateway-no-work',
    description: 'GET /2.0/bench/gated, valid token, handler does nothing',
    target: 0.7,
    request: (g) => ({ method: 'GET', path: '/2.0/bench/gated', headers: { authorization: `Bearer ${g.token}` } }),
  },
  {
    name: 'gateway-user',
    description: 'GET /2.0/user, full stack (one SQLite read)',
    request: (g) => ({ method: 'GET', path: '/2.0/user', headers: { authorization: `Bearer ${g.token}` } }),
  },
  {
    name: 'token-client-credentials',
    description: 'POST /oauth/token, client_credentials, Basic auth',
    target: 0.25,
    request: (g) => ({ method: 'POST', path: '/oauth/token', headers: { ...form, authorization: basic(g) }, body: 'grant_type=client_credentials&scope=account' }),
  },
  {
    name: 'introspection',
    description: 'POST /oauth/introspect of one valid token',
    target: 0.25,
    request: (g) => ({ method: 'POST', path: '/oauth/introspect', headers: { ...form, authorization: basic(g) }, body: `token=${g.token}` }),
  },
]

const children: ChildProcess[] = []
process.once('exit', () => children.forEach((child) => child.kill('SIGTERM')))
process.once('SIGINT', () => process.exit(130))

const baselineServer = await start<{ url: string }>('baseline-server.ts')
const gatehouse = await start<GatehouseReady>('server.ts')
const baselineRequest: Request = { url: `${baselineServer.url}/`, method: 'GET' }
const baselineRuns: Measurement[] = []
const rows: Row[] = []

for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.name)) continue
  const { path, ...rest } = scenario.request(gatehouse)
  const request: Request = { url: `${gatehouse.url}${path}`, ...rest }
  const row: Row = { name: scenario.name, description: scenario.description, status: 'measured', target: scenario.target }
  const probe = await fetch(request.url, rest)
  if (probe.status !== 200) {
    rows.push({ ...row, status: 'skipped', reason: `${rest.method} ${path} answered ${probe.status}${probe.status === 404 ? ' (not implemented yet?)' : ''}` })
    continue
  }
  const runs: Measurement[] = []
  const ratios: number[] = []
  const cpuRatios: number[] = []
  for (let round = 0; round < rounds; round++) {
    const baseline = await measure(baselineServer.child, baselineRequest)
    const run = await measure(gatehouse.child, request)
    baselineRuns.push(baseline)
    runs.push(run)
    ratios.push(run.requestsPerSecond / baseline.requestsPerSecond)
    if (baseline.cpuMicrosPerRequest && run.cpuMicrosPerRequest) cpuRatios.push(baseline.cpuMicrosPerRequest / run.cpuMicrosPerRequest)
  }
  const result = medianMeasurement(runs)
  const ratio = median(ratios)
  // Refusals are cheap and would flatter the figure: a run with any is not a pass.
  const clean = runs.every((run) => run.errors === 0 && run.non2xx === 0)
  rows.push({
    ...row,
    ...result,
    ratio,
    cpuRatio: cpuRatios.length ? median(cpuRatios) : undefined,
    meetsTarget: scenario.target === undefined ? undefined : clean && ratio >= scenario.target,
  })
}
await Promise.all([stop(baselineServer.child), stop(gatehouse.child)])

if (baselineRuns.length) {
  rows.unshift({ name: 'baseline', description: 'bare Fastify, GET / → small JSON', status: 'measured', ...medianMeasurement(baselineRuns), ratio: 1, cpuRatio: 1 })
}
printTable(rows)
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  `${resultsDir}latest.json`,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: availableParallelism(), duration, warmup, connections, rounds, rows }, null, 2)}\n`,
)
console.log(`\nwritten to bench/results/latest.json`)
process.exitCode = rows.some((row) => row.meetsTarget === false) ? 1 : 0

/** Warms up, then measures; autocannon's averages are per second over the run. */
async function measure(server: ChildProcess, request: Request): Promise<Measurement> {
  await autocannon({ ...request, connections, duration: warmup })
  const cpuBefore = cpuMillis(server)
  const result = await autocannon({ ...request, connections, duration })
  const cpuAfter = cpuMillis(server)
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: cpuBefore === undefined || cpuAfter === undefined ? undefined : round1(((cpuAfter - cpuBefore) * 1000) / result.requests.total),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

/** User + system CPU time of a process from /proc, in ms (clock ticks are 10 ms on Linux); undefined elsewhere. */
function cpuMillis(child: ChildProcess): number | undefined {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

function medianMeasurement(runs: Measurement[]): Measurement {
  const cpu = runs.map((run) => run.cpuMicrosPerRequest).filter((value): value is number => value !== undefined)
  return {
    requestsPerSecond: Math.round(median(runs.map((run) => run.requestsPerSecond))),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    cpuMicrosPerRequest: cpu.length ? round1(median(cpu)) : undefined,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function round1(value: number): number {
  return Math.round(value * 10) / 10
}

/** Starts a bench server in its own process and waits for its `READY {json}` line. */
async function start<T>(script: string): Promise<T & { child: ChildProcess }> {
  const path = fileURLToPath(new URL(script, import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', path], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } })
  children.push(child)
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 30_000)
    child.stderr!.on('data', (chunk) => (output += chunk))
    child.stdout!.on('data', (chunk) => {
      output += chunk
      const line = output.split('\n').find((l) => l.startsWith('READY '))
      if (!line) return
      clearTimeout(timer)
      resolve({ ...(JSON.parse(line.slice('READY '.length)) as T), child })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code}:\n${output}`))
    })
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

function printTable(rows: Row[]): void {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'vs baseline', 'target', 'CPU µs/req', 'CPU ratio', '']
  const lines = rows.map((row) =>
    row.status === 'skipped'
      ? [row.name, '—', '—', '—', '—', row.target ? `≥ ${row.target.toFixed(2)}` : '', '—', '—', `skipped: ${row.reason}`]
      : [
          row.name,
          String(row.requestsPerSecond),
          String(row.p50Ms),
          String(row.p99Ms),
          row.ratio!.toFixed(2),
          row.target ? `≥ ${row.target.toFixed(2)}` : '',
          row.cpuMicrosPerRequest === undefined ? '—' : row.cpuMicrosPerRequest.toFixed(1),
          row.cpuRatio === undefined ? '—' : row.cpuRatio.toFixed(2),
          [row.meetsTarget === undefined ? '' : row.meetsTarget ? 'ok' : 'BELOW TARGET', row.errors || row.non2xx ? `(${row.errors} errors, ${row.non2xx} non-2xx)` : '']
            .filter(Boolean)
            .join(' '),
        ],
  )
  const widths = header.map((_, i) => Math.max(header[i].length, ...lines.map((line) => line[i].length)))
  const format = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  console.log(`\nnode ${process.version}, ${availableParallelism()} CPUs, ${connections} connections, ${warmup} s warm-up + ${duration} s per run, ${rounds} round(s)\n`)
  console.log(format(header))
  for (const line of lines) console.log(format(line))
}
