import { sql } from 'kysely'
import type { Db } from '../store/database.js'

/** What a readiness check found for one dependency. */
export type CheckResult = 'ok' | 'unreachable' | 'timeout'

export interface Readiness {
  ready: boolean
  checks: { database: CheckResult; redis?: CheckResult }
}

export interface ReadinessDeps {
  db: Db
  /** Present when REDIS_URL is configured: anything that answers PING. */
  redis?: { ping(): Promise<unknown> }
  /** Each check fails after this long, so a hung dependency cannot hang the probe. */
  timeoutMs: number
}

/** Whether this node can serve requests that need its dependencies: the database, and Redis when configured. */
export async function checkReadiness({ db, redis, timeoutMs }: ReadinessDeps): Promise<Readiness> {
  const [database, redisResult] = await Promise.all([
    check(() => sql`select 1`.execute(db), timeoutMs),
    redis ? check(() => redis.ping(), timeoutMs) : undefined,
  ])
  const checks: Readiness['checks'] = redisResult === undefined ? { database } : { database, redis: redisResult }
  return { ready: Object.values(checks).every((result) => result === 'ok'), checks }
}

async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<CheckResult>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))
  const answered = probe().then(
    (): CheckResult => 'ok',
    (): CheckResult => 'unreachable',
  )
  try {
    return await Promise.race([answered, timedOut])
  } finally {
    clearTimeout(timer)
  }
}
