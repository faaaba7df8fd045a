import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireAdmin, signedInAdmin } from '../admin/require-admin.js'
import { parseCohort, parseMode, parsePercent, type CohortMember, type EnforcementMode } from '../domain/rollout.js'
import { csrfToken, requireSignedIn, sendSettingsPage, verifyCsrf } from '../web/index.js'
import { ENFORCEMENTS_PATH, refusalOf, sentence } from './console.pages.js'
import { enforcementListSchema, enforcementSetSchema, type DoneQuery, type EnforcementFormBody, type EnforcementParams } from './console.schemas.js'
import { knownEnforcementName, listChanges, listEnforcements, setEnforcement, unknownCohortMembers } from './enforcements.service.js'
import { enforcementsPage, type EnforcementFormValues } from './enforcements.pages.js'

const PAGE = { errorFormat: 'page' } as const

/**
 * Admin → Enforcements: every named enforcement with its setting, a form to change it, and its
 * history. Administrators only (the same rule as the rest of the admin console).
 */
export async function enforcementPageRoutes(scope: FastifyInstance): Promise<void> {
  const deps = { db: scope.db, clock: scope.clock }
  scope.addHook('preHandler', requireSignedIn)
  scope.addHook('preHandler', requireAdmin)
  scope.addHook('preHandler', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') await verifyCsrf(request)
  })

  scope.get<{ Querystring: DoneQuery }>(ENFORCEMENTS_PATH, { schema: enforcementListSchema, config: PAGE }, async (request, reply) => {
    return sendPage(request, reply, { notice: await savedNotice(request.query) })
  })

  scope.post<{ Params: EnforcementParams; Body: EnforcementFormBody }>(`${ENFORCEMENTS_PATH}/:name`, { schema: enforcementSetSchema, config: PAGE }, async (request, reply) => {
    const admin = await signedInAdmin(request)
    const name = knownEnforcementName(request.params.name)
    const values: EnforcementFormValues = { mode: request.body.mode ?? '', percent: request.body.percent ?? '', cohort: request.body.cohort ?? '' }
    const setting = settingOf(values)
    if ('problem' in setting) return sendPage(request, reply, { refused: { name, values, message: setting.problem } })
    try {
      await setEnforcement(deps, name, setting, admin.username)
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      return sendPage(request, reply, { refused: { name, values, message: refusal.message } })
    }
    return reply.redirect(`${ENFORCEMENTS_PATH}?done=saved&name=${encodeURIComponent(name)}`, 303)
  })

  async function sendPage(request: FastifyRequest, reply: FastifyReply, input: { notice?: string; refused?: { name: string; values: EnforcementFormValues; message: string } }): Promise<FastifyReply> {
    const states = await listEnforcements(deps.db)
    const enforcements = await Promise.all(states.map(async (state) => ({ state, changes: await listChanges(deps.db, state.name) })))
    return sendSettingsPage(request, reply, enforcementsPage({ enforcements, csrf: csrfToken(request), ...input }))
  }

  /** "Saved", and any cohort member that names nothing yet (a typo, or an app still to come). */
  async function savedNotice(query: DoneQuery): Promise<string | undefined> {
    if (query.done !== 'saved' || query.name === undefined) return undefined
    const state = (await listEnforcements(deps.db)).find((s) => s.name === query.name)
    if (!state) return undefined
    const unknown = await unknownCohortMembers(deps.db, state.cohort)
    const note = unknown.length === 0 ? '' : ` Note: ${unknown.join(', ')} ${unknown.length === 1 ? 'names' : 'name'} nothing registered yet.`
    return `${state.name} is saved: ${state.mode}, for ${state.percent}% of apps${state.cohort.length > 0 ? ` and ${state.cohort.length} in the cohort` : ''}.${note}`
  }
}

/** The form's values as a setting, or the first thing to fix. */
function settingOf(values: EnforcementFormValues): { mode: EnforcementMode; percent: number; cohort: CohortMember[] } | { problem: string } {
  const mode = parseMode(values.mode)
  if ('problem' in mode) return { problem: values.mode === '' ? 'Choose a mode' : sentence(mode.problem) }
  const percent = parsePercent(values.percent === '' ? '0' : values.percent)
  if ('problem' in percent) return { problem: sentence(percent.problem) }
  const cohort = parseCohort(values.cohort.split(/[\r\n,]+/).map((line) => line.trim()).filter((line) => line !== ''))
  if ('problems' in cohort) return { problem: cohort.problems.map(sentence).join('; ') }
  return { mode: mode.mode, percent: percent.percent, cohort: cohort.cohort }
}
