import type { FastifyBaseLogger } from 'fastify'
import type { ConnectKeys } from '../apps/connect-keys.js'
import type { Clock } from '../domain/clock.js'
import type { LifecycleEvent } from '../domain/descriptor.js'
import { newId } from '../domain/ids.js'
import { isUniqueViolation, type Db } from '../store/database.js'
import type { CallbackDeliveryRow } from '../store/schema.js'
import { AppUnreachableError, requestApp, type AppRequestPolicy, type AppResponse } from './app-requests.js'

/** What every lifecycle callback carries (the reference platform's fields); `installed` adds the shared secret. */
export interface LifecyclePayload {
  key: string
  clientKey: string
  oauthClientId: string
  /** The platform's base URL: where the app calls back, and the `tnt` of its assertions. */
  baseUrl: string
  displayUrl: string
  productType: string
  description: string
  eventType: LifecycleEvent
  workspace: { slug: string; name: string }
  /** Set on `installed` into a workspace imported from another tenant: the clientKey the vendor knew it by there. */
  previousClientKey?: string
  sharedSecret?: string
}

export interface CallbackTarget {
  /** The app's baseUrl: the callback token's audience. */
  baseUrl: string
  url: string
}

export interface CallbackDeps {
  db: Db
  clock: Clock
  connectKeys: Pick<ConnectKeys, 'signCallback'>
  requests: AppRequestPolicy
  log?: FastifyBaseLogger
}

/** After a failure, the next attempts wait this long; after the last, the delivery has failed. */
export const RETRY_DELAYS_MS: readonly number[] = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 12 * 3600_000]
/** A worker that claimed a delivery and died leaves it for this long before another takes it. */
const CLAIM_MS = 60_000
const SHOWN_BODY_LENGTH = 300

/** The outcome of one attempt, as the delivery log records it. */
export interface AttemptOutcome {
  delivered: boolean
  status: number | null
  error: string | null
}

/**
 * One signed lifecycle callback, sent now: `Authorization: JWT` (RS256 under the connect key, `aud`
 * the app's baseUrl, `qsh` of this POST), JSON body. Delivered means the app answered 2xx.
 */
export async function sendCallback(deps: Pick<CallbackDeps, 'connectKeys' | 'requests'>, target: CallbackTarget, payload: LifecyclePayload): Promise<AttemptOutcome> {
  const token = await deps.connectKeys.signCallback({ audience: target.baseUrl, method: 'POST', url: target.url })
  let response: AppResponse
  try {
    response = await requestApp(
      { method: 'POST', url: target.url, baseUrl: target.baseUrl, headers: { authorization: `JWT ${token}`, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(payload) },
      deps.requests,
    )
  } catch (error) {
    if (error instanceof AppUnreachableError) return { delivered: false, status: null, error: error.message }
    throw error
  }
  const delivered = response.status >= 200 && response.status < 300
  return { delivered, status: response.status, error: delivered ? null : describeRefusal(response) }
}

/** The payload as the delivery log keeps it: never the shared secret. */
export function loggedPayload(payload: LifecyclePayload): string {
  const { sharedSecret, ...rest } = payload
  return JSON.stringify(sharedSecret === undefined ? rest : { ...rest, sharedSecret: '(sent, not stored)' })
}

/** Records a callback already sent (the `installed` of an install or a rotation) in its installation's log, in order. */
export async function recordSentCallback(db: Db, clock: Clock, installationId: string, event: LifecycleEvent, url: string, payload: LifecyclePayload, outcome: AttemptOutcome): Promise<void> {
  const now = clock.now()
  await insertInOrder(db, installationId, {
    event,
    url,
    payload: loggedPayload(payload),
    state: outcome.delivered ? 'delivered' : 'failed',
    attempts: 1,
    next_attempt_at: null,
    last_status: outcome.status,
    last_error: outcome.error,
    created_at: now,
    finished_at: now,
  })
}

/** Queues a callback after every earlier one of the installation; call inside the transaction that changed the installation's state. */
export async function enqueueCallback(trx: Db, clock: Clock, installationId: string, event: LifecycleEvent, url: string, payload: LifecyclePayload): Promise<void> {
  const now = clock.now()
  await insertInOrder(trx, installationId, {
    event,
    url,
    payload: loggedPayload(payload),
    state: 'pending',
    attempts: 0,
    next_attempt_at: now,
    last_status: null,
    last_error: null,
    created_at: now,
    finished_at: null,
  })
}

type DeliveryFields = Omit<CallbackDeliveryRow, 'id' | 'installation_id' | 'sequence'>

async function insertInOrder(db: Db, installationId: string, fields: DeliveryFields): Promise<void> {
  // Callers hold the installation's row (a conditional update in the same transaction), so two
  // inserts rarely race; the unique (installation, sequence) settles it when they do.
  for (let attempt = 0; ; attempt++) {
    const last = await db.selectFrom('callback_deliveries').select((eb) => eb.fn.max('sequence').as('max')).where('installation_id', '=', installationId).executeTakeFirst()
    const sequence = Number(last?.max ?? 0) + 1
    try {
      await db.insertInto('callback_deliveries').values({ id: newId(), installation_id: installationId, sequence, ...fields }).execute()
      return
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3 || db.isTransaction) throw error
    }
  }
}

/** Pending callbacks of an installation that will not be sent: it was removed by an import, which tells the app nothing. */
export async function skipPendingCallbacks(trx: Db, clock: Clock, installationId: string): Promise<void> {
  await trx
    .updateTable('callback_deliveries')
    .set({ state: 'skipped', next_attempt_at: null, finished_at: clock.now(), last_error: 'the installation was removed by a workspace import' })
    .where('installation_id', '=', installationId)
    .where('state', '=', 'pending')
    .execute()
}

export async function hasPendingCallbacks(db: Db, installationId: string): Promise<boolean> {
  const row = await db.selectFrom('callback_deliveries').select('id').where('installation_id', '=', installationId).where('state', '=', 'pending').executeTakeFirst()
  return row !== undefined
}

/**
 * Delivers queued callbacks, in order per installation: only the earliest pending callback of an
 * installation is ever attempted, so an `enabled` queued before an `uninstalled` reaches the app
 * first, and nothing queued later overtakes one waiting out its retry delay. Failed attempts are
 * retried on `RETRY_DELAYS_MS`; after the last, the delivery is marked failed and the next one goes.
 *
 * Several processes may run this on one database: a process claims a delivery by moving its
 * `next_attempt_at` forward with a conditional update, so only one sends it.
 */
export class CallbackDeliverer {
  readonly #deps: CallbackDeps
  readonly #retryDelaysMs: readonly number[]
  readonly #pollMs: number
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #again = false
  #stopped = false

  constructor(deps: CallbackDeps, options: { retryDelaysMs?: readonly number[]; pollMs?: number } = {}) {
    this.#deps = deps
    this.#retryDelaysMs = options.retryDelaysMs ?? RETRY_DELAYS_MS
    this.#pollMs = options.pollMs ?? 1000
  }

  start(): void {
    this.#stopped = false
    this.#timer = setInterval(() => this.kick(), this.#pollMs)
    this.#timer.unref()
    this.kick()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#running
  }

  /** Runs a pass now (or right after the one under way): a change has queued a callback. */
  kick(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = this.deliverDue()
      .then(() => undefined)
      .catch((error: unknown) => this.#deps.log?.error({ err: error }, 'lifecycle callback delivery pass failed'))
      .finally(() => {
        this.#running = undefined
        if (this.#again) {
          this.#again = false
          this.kick()
        }
      })
  }

  /** Waits for the pass under way, if any (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running
  }

  /** One pass: the earliest pending callback of every installation that has one due, each attempted once. */
  async deliverDue(): Promise<number> {
    const { db, clock } = this.#deps
    const now = clock.now()
    const heads = await db
      .selectFrom('callback_deliveries as d')
      .innerJoin('installations', 'installations.id', 'd.installation_id')
      .innerJoin('descriptors', 'descriptors.app_id', 'installations.app_id')
      .selectAll('d')
      .select('descriptors.document')
      .where('d.state', '=', 'pending')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('callback_deliveries as earlier').select('earlier.id').whereRef('earlier.installation_id', '=', 'd.installation_id').where('earlier.state', '=', 'pending').whereRef('earlier.sequence', '<', 'd.sequence'),
          ),
        ),
      )
      .where('d.next_attempt_at', '<=', now)
      .orderBy('d.created_at')
      .limit(50)
      .execute()
    let delivered = 0
    for (const head of heads) {
      if (this.#stopped) break
      if (await this.attempt(head, JSON.parse(head.document).baseUrl as string)) delivered++
    }
    return delivered
  }

  private async attempt(row: CallbackDeliveryRow, baseUrl: string): Promise<boolean> {
    const { db, clock } = this.#deps
    const claimed = await db
      .updateTable('callback_deliveries')
      .set({ next_attempt_at: clock.now() + CLAIM_MS, attempts: row.attempts + 1 })
      .where('id', '=', row.id)
      .where('state', '=', 'pending')
      .where('attempts', '=', row.attempts)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) === 0) return false
    const outcome = await sendCallback(this.#deps, { baseUrl, url: row.url }, JSON.parse(row.payload) as LifecyclePayload).catch(
      (error: unknown): AttemptOutcome => ({ delivered: false, status: null, error: `could not send: ${error instanceof Error ? error.message : String(error)}` }),
    )
    const attempts = row.attempts + 1
    const now = clock.now()
    const gaveUp = !outcome.delivered && attempts > this.#retryDelaysMs.length
    await db
      .updateTable('callback_deliveries')
      .set({
        state: outcome.delivered ? 'delivered' : gaveUp ? 'failed' : 'pending',
        next_attempt_at: outcome.delivered || gaveUp ? null : now + this.#retryDelaysMs[attempts - 1],
        last_status: outcome.status,
        last_error: outcome.error,
        finished_at: outcome.delivered || gaveUp ? now : null,
      })
      .where('id', '=', row.id)
      .execute()
    if (!outcome.delivered) this.#deps.log?.warn({ installation: row.installation_id, event: row.event, attempts, error: outcome.error }, gaveUp ? 'lifecycle callback failed for good' : 'lifecycle callback failed; will retry')
    return outcome.delivered
  }
}

function describeRefusal(response: AppResponse): string {
  const body = response.body.replace(/\s+/g, ' ').trim()
  const shown = body.length > SHOWN_BODY_LENGTH ? `${body.slice(0, SHOWN_BODY_LENGTH)}…` : body
  if (response.status >= 300 && response.status < 400) return `the app answered ${response.status} (a redirect, which is not followed)`
  return `the app answered ${response.status}${shown ? `: ${shown}` : ''}`
}
