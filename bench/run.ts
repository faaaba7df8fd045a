import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { checkIssuance } from './checks.js'
import { measure, sendEach, type Driver, type Failure, type Measurement } from './load.js'
import type { BenchApp, GatehouseStarted, GatehouseStartOptions, OidcProviderStarted, OidcProviderStartOptions } from './protocol.js'
import { printTable, type Row } from './report.js'
import { baselineLoad, basicAuthorization, LIMITS_OFF, POOL, SCENARIOS, type PooledToken, type Pools, type Scenario } from './scenarios.js'

/**
 * `npm run bench`: the bare-Fastify baseline, Gatehouse and node-oidc-provider
 * each in their own process, autocannon in this one. Prints a table and writes
 * bench/results/latest.json.
 *
 * Every response counted is checked (bench/checks.ts); a scenario with any
 * wrong answer, error or non-2xx is reported as failed, not measured. Every
 * request takes the next token or client from a pool built against the real
 * servers first (bench/scenarios.ts has the sizes).
 *
 * Each scenario is measured right after a baseline run and compared with it:
 * on a machine shared with other work, throughput drifts with the
 * neighbours' load, and adjacent runs drift together. Each Gatehouse
 * scenario gets a fresh process (its caches and rate-limit counters start
 * empty) on the same database.
 *
 * Options: --duration SECONDS (8), --warmup SECONDS (2), --connections N (50),
 * --rounds N (1; more rounds report medians), --only NAME[,NAME] (a name, or
 * a prefix such as `gateway` or `oidc-provider`).
 */

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
})
const driver: Driver = { durationSeconds: Number(options.duration), warmupSeconds: Number(options.warmup), connections: Number(options.connections) }
const rounds = Number(options.rounds)
for (const [name, value] of Object.entries({ duration: driver.durationSeconds, warmup: driver.warmupSeconds, connections: driver.connections, rounds })) {
  if (!Number.isInteger(value) || value < (name === 'warmup' ? 0 : 1)) throw new Error(`--${name} must be a whole number${name === 'warmup' ? '' : ' of at least 1'}`)
}
const only = options.only?.split(',').filter(Boolean)
const selected = SCENARIOS.filter((scenario) => !only || only.some((name) => scenario.name === name || scenario.name.startsWith(`${name}-`)))
if (selected.length === 0) throw new Error(`--only matches no scenario; the scenarios are ${SCENARIOS.map((s) => s.name).join(', ')}`)

interface Started {
  url: string
  child: ChildProcess
}

const children = new Set<ChildProcess>()
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
const databaseFile = join(dataDir, 'bench.db')
process.once('exit', () => {
  children.forEach((child) => child.kill('SIGTERM'))
  rmSync(dataDir, { recursive: true, force: true })
})
process.once('SIGINT', () => process.exit(130))

const baseline = await start<{ url: string }>('baseline-server.ts', {})
const pools: Pools = {}
if (selected.some((scenario) => scenario.server === 'gatehouse')) pools.gatehouse = await gatehousePools()
const oidcProvider = selected.some((scenario) => scenario.server === 'oidc-provider') ? await start<OidcProviderStarted>('oidc-provider-server.ts', { clients: POOL.apps } satisfies OidcProviderStartOptions) : undefined
if (oidcProvider) pools.oidcProvider = await oidcProviderPools(oidcProvider)

const baselineRequests = baselineLoad(pools)
const baselineRuns: Measurement[] = []
const rows: Row[] = []
for (const scenario of selected) {
  console.log(`${scenario.name} …`)
  rows.push(await run(scenario))
}
await Promise.all([...children].map(stop))

for (const row of rows) {
  const other = rows.find((candidate) => candidate.name === row.comparedWith)
  if (row.ratio !== undefined && other?.ratio !== undefined) row.vsOidcProvider = round2(row.ratio / other.ratio)
}
if (baselineRuns.length) {
  rows.unshift({ name: 'baseline', description: 'bare Fastify, GET → {"hello":"world"}, same client work', status: 'measured', ...medianOf(baselineRuns), ratio: 1 })
}
printTable(rows, { ...driver, rounds })
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(resultsDir, { recursive: true })
const oidcProviderVersion = (JSON.parse(readFileSync(new URL('../node_modules/oidc-provider/package.json', import.meta.url), 'utf8')) as { version: string }).version
writeFileSync(
  `${resultsDir}latest.json`,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: availableParallelism(), ...driver, rounds, pools: POOL, oidcProviderVersion, rows }, null, 2)}\n`,
)
console.log(`\nwritten to bench/results/latest.json`)
process.exitCode = rows.some((row) => row.status === 'failed' || row.meetsTarget === false) ? 1 : 0

/** Every round: a baseline run, then the scenario on its server; a failure ends the scenario. */
async function run(scenario: Scenario): Promise<Row> {
  const row: Row = { name: scenario.name, description: scenario.description, status: 'measured', comparedWith: scenario.comparedWith, target: scenario.target }
  const load = scenario.load(pools)
  const runs: Measurement[] = []
  const ratios: number[] = []
  for (let round = 0; round < rounds; round++) {
    // Started before the baseline run, so its start-up is not in either measurement.
    const gatehouse = scenario.server === 'gatehouse' ? await start<GatehouseStarted>('server.ts', { databaseFile, env: scenario.env ?? {} } satisfies GatehouseStartOptions) : undefined
    const base = await measure(driver, baseline.url, baselineRequests, baseline.child.pid)
    if ('failures' in base) throw new Error(`the baseline failed its own check: ${base.first}`)
    baselineRuns.push(base)
    let outcome: Measurement | Failure
    if (gatehouse) {
      row.settings = gatehouse.settings
      const unmet = scenario.precondition?.(gatehouse.settings, pools)
      outcome = unmet
        ? { failures: 0, first: `not run: ${unmet}` }
        : await measure(driver, gatehouse.url, load, gatehouse.child.pid, () => signatureChecks(gatehouse.url))
      await stop(gatehouse.child)
    } else {
      outcome = await measure(driver, oidcProvider!.url, load, oidcProvider!.child.pid)
    }
    if ('failures' in outcome) return { ...row, status: 'failed', failure: outcome }
    runs.push(outcome)
    ratios.push(outcome.requestsPerSecond / base.requestsPerSecond)
  }
  const ratio = round2(median(ratios))
  return { ...row, ...medianOf(runs), ratio, meetsTarget: scenario.target === undefined ? undefined : ratio >= scenario.target }
}

/**
 * The users and apps (created in the database by the bench server), then
 * POOL.tokens client-credentials tokens issued over HTTP by the apps in turn,
 * by a Gatehouse process with every limit off (a per-address request cap
 * would refuse most of them). Every token is real: issued and signed by the server
 * under test, with the keys in the benchmark's database.
 */
async function gatehousePools(): Promise<NonNullable<Pools['gatehouse']>> {
  const setup = await start<GatehouseStarted>('server.ts', { databaseFile, env: LIMITS_OFF, setup: { users: POOL.users, apps: POOL.apps } } satisfies GatehouseStartOptions)
  const apps = setup.apps!
  const tokens = await issueTokens(setup.url, '/oauth/token', 'grant_type=client_credentials&scope=account', apps, POOL.tokens, 'jwt')
  await stop(setup.child)
  return { apps, tokens }
}

async function oidcProviderPools(server: Started & OidcProviderStarted): Promise<NonNullable<Pools['oidcProvider']>> {
  const body = `grant_type=client_credentials&scope=account&resource=${encodeURIComponent(server.resources.opaque)}`
  const tokens = await issueTokens(server.url, '/token', body, server.clients, POOL.oidcProviderTokens, 'opaque')
  return { clients: server.clients, tokens, resources: server.resources }
}

/** `count` tokens, token i issued to app i mod apps.length, so neighbours in the pool belong to different apps. */
async function issueTokens(url: string, path: string, body: string, apps: BenchApp[], count: number, format: 'jwt' | 'opaque'): Promise<PooledToken[]> {
  const started = Date.now()
  const headers = apps.map((app) => ({ 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(app) }))
  const requests = Array.from({ length: count }, (_, i) => ({ method: 'POST' as const, path, headers: headers[i % apps.length], body }))
  const tokens: PooledToken[] = new Array(count)
  await sendEach(url, { requests, check: (_index, status, responseBody) => checkIssuance(status, responseBody, { format }) }, 20, (index, responseBody) => {
    tokens[index] = { token: (JSON.parse(responseBody) as { access_token: string }).access_token, app: apps[index % apps.length] }
  })
  if (new Set(tokens.map(({ token }) => token)).size !== count) throw new Error(`the pool at ${url}${path} has repeated tokens`)
  console.log(`  ${count} tokens from ${apps.length} clients at ${path} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return tokens
}

/** Signature checks the Gatehouse process has done so far (its /bench/stats), or undefined when it cannot count them. */
async function signatureChecks(url: string): Promise<number | undefined> {
  const stats = (await (await fetch(`${url}/bench/stats`)).json()) as { verifications: number | null }
  return stats.verifications ?? undefined
}

function medianOf(runs: Measurement[]): Measurement {
  const defined = (values: (number | undefined)[]) => values.filter((value): value is number => value !== undefined)
  const cpu = defined(runs.map((run) => run.cpuMicrosPerRequest))
  const counted = defined(runs.map((run) => run.countedPerRequest))
  return {
    requestsPerSecond: Math.round(median(runs.map((run) => run.requestsPerSecond))),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    cpuMicrosPerRequest: cpu.length ? Math.round(median(cpu) * 10) / 10 : undefined,
    countedPerRequest: counted.length ? median(counted) : undefined,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

/** Starts a bench server in its own process and waits for its `READY {json}` line. */
async function start<T extends { url: string }>(script: string, startOptions: object): Promise<T & Started> {
  const path = fileURLToPath(new URL(script, import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', path, JSON.stringify(startOptions)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 60_000)
    child.stderr!.on('data', (chunk) => (output += chunk))
    child.stdout!.on('data', (chunk) => {
      output += chunk
      const line = output.split('\n').find((l) => l.startsWith('READY '))
      if (!line) return
      clearTimeout(timer)
      child.stdout!.removeAllListeners('data')
      child.stdout!.resume()
      resolve({ ...(JSON.parse(line.slice('READY '.length)) as T), child })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code}:\n${output}`))
    })
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}
