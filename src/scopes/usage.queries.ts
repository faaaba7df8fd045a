import type { Db } from '../store/database.js'

/** One operation and scope of an app's stored usage, summed over the days from `sinceDay`. */
export interface UsageTotal {
  operationId: string
  scope: string
  calls: number
  lastDay: string
}

export async function usageTotals(db: Db, clientId: string, sinceDay: string): Promise<UsageTotal[]> {
  const rows = await db
    .selectFrom('scope_usage')
    .select((eb) => ['operation_id', 'scope', eb.fn.sum<number | string>('calls').as('calls'), eb.fn.max('day').as('last_day')])
    .where('client_id', '=', clientId)
    .where('day', '>=', sinceDay)
    .groupBy(['operation_id', 'scope'])
    .orderBy('operation_id')
    .orderBy('scope')
    .execute()
  // PostgreSQL sums bigint into numeric, which pg hands over as text.
  return rows.map((row) => ({ operationId: row.operation_id, scope: row.scope, calls: Number(row.calls), lastDay: row.last_day }))
}

/** The first day from `sinceDay` on with usage stored for any app: before it, nothing was counted. */
export async function firstUsageDay(db: Db, sinceDay: string): Promise<string | null> {
  const row = await db.selectFrom('scope_usage').select((eb) => eb.fn.min('day').as('day')).where('day', '>=', sinceDay).executeTakeFirst()
  return row?.day ?? null
}
