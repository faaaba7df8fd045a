import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppValidationError, type AppField } from '../apps/apps.service.js'
import { csrfToken, currentUser, requireSignedIn, sendSettingsPage, verifyCsrf, type SessionUser } from '../web/index.js'
import { consumerPage, consumerPath, CONSUMERS_PATH, createdPage, formPage, listPage, secretRotatedPage, type ConsumerFormField, type FormPageInput } from './consumers.pages.js'
import {
  actionSchema, consumerPageSchema, createSchema, editFormSchema, listSchema, newFormSchema, rotateSchema, updateSchema,
  type ActionBody, type ConsumerFormBody, type ConsumerParams, type DoneQuery,
} from './consumers.schemas.js'
import { reconsentProgress } from '../consent/decisions.service.js'
import { recentScopeUsage } from '../scopes/usage.js'
import {
  changeConsumerState, createConsumer, findManageableConsumer, formValuesOf, listConsumers, rotateConsumerSecret, updateConsumer, workspaceChoices,
  type ConsumerAction, type ConsumerDeps, type ConsumerFormValues,
} from './consumers.service.js'

/** `?done=` values and the notice each shows; anything else shows nothing. */
const DONE: Record<string, string> = {
  updated: 'Your changes are saved.',
  widened: 'Your changes are saved. The consumer asks for more now: approvals given for fewer permissions ended, with their tokens, and people are asked again.',
  'widened-grace': 'Your changes are saved. The consumer asks for more now: earlier approvals keep working with their old permissions for the grace period, and people are asked for the new ones the next time they use it.',
  unchanged: 'Nothing changed.',
  disabled: 'The consumer is disabled. Its tokens stopped working, and it cannot get new ones.',
  enabled: 'The consumer is enabled again. Tokens from before it was disabled stay revoked.',
  deleted: 'The consumer is deleted, and its tokens are revoked.',
}
const PAST: Record<ConsumerAction, string> = { disable: 'disabled', enable: 'enabled', delete: 'deleted' }

/** Where a validation failure is shown on the form. */
const FIELD_OF: Partial<Record<AppField, ConsumerFormField>> = {
  name: 'name', description: 'description', redirect_uris: 'redirect_uris', homepage_url: 'homepage_url', scopes: 'scope', workspace: 'workspace',
}

const PAGE = { errorFormat: 'page' } as const
const FORM_POST = [requireSignedIn, verifyCsrf]

/** Developer → OAuth consumers: list, add, see, edit, rotate the secret of, disable, enable and delete the user's apps. */
export async function consumerRoutes(server: FastifyInstance): Promise<void> {
  const deps: ConsumerDeps = {
    accounts: { db: server.db, clock: server.clock, accessTokenTtlSeconds: server.config.accessTokenTtlSeconds, revocations: server.revocations },
    catalogue: server.apiDescription.scopes,
    secrets: server.secrets,
    rotationGraceSeconds: server.config.secretRotationGraceSeconds,
  }
  const { db } = deps.accounts

  server.get<{ Querystring: DoneQuery }>(CONSUMERS_PATH, { schema: listSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    return sendSettingsPage(request, reply, listPage(await listConsumers(db, user), csrfToken(request), doneNotice(request.query)))
  })

  server.get(`${CONSUMERS_PATH}/new`, { schema: newFormSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const values: ConsumerFormValues = { name: '', description: '', redirectUris: '', homepageUrl: '', isPrivate: false, workspaceId: '', scopes: [], reconsentGraceDays: '0' }
    return sendForm(request, reply, { mode: 'new', values, workspaces: await workspaceChoices(db, user) })
  })

  // The answer shows the secret, once: rendered here, never behind a redirect a reload would repeat.
  server.post<{ Body: ConsumerFormBody }>(`${CONSUMERS_PATH}/new`, { schema: createSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const values = formValues(request.body)
    try {
      const { app, clientSecret } = await createConsumer(deps, user, values)
      return sendSettingsPage(request, reply, createdPage(app, clientSecret))
    } catch (error) {
      if (!(error instanceof AppValidationError)) throw error
      return sendForm(request, reply, { mode: 'new', values, workspaces: await workspaceChoices(db, user), error: formError(error) })
    }
  })

  server.get<{ Params: ConsumerParams; Querystring: DoneQuery }>(`${CONSUMERS_PATH}/:client_id`, { schema: consumerPageSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const consumer = await findManageableConsumer(db, await signedIn(request), request.params.client_id)
    const usage = await recentScopeUsage(db, server.apiDescription, consumer.app.clientId, server.clock.now())
    return sendSettingsPage(request, reply, consumerPage(consumer, deps.catalogue, csrfToken(request), doneNotice(request.query), await reconsentProgress(db, consumer.app.id, deps.catalogue), usage))
  })

  server.get<{ Params: ConsumerParams }>(`${CONSUMERS_PATH}/:client_id/edit`, { schema: editFormSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const consumer = await findManageableConsumer(db, user, request.params.client_id)
    return sendForm(request, reply, { mode: 'edit', app: consumer.app, values: formValuesOf(consumer.app), workspaces: await workspaceChoices(db, user, consumer.workspace) })
  })

  server.post<{ Params: ConsumerParams; Body: ConsumerFormBody }>(`${CONSUMERS_PATH}/:client_id/edit`, { schema: updateSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const consumer = await findManageableConsumer(db, user, request.params.client_id)
    // The type is fixed at creation; the edit form does not send it.
    const values = { ...formValues(request.body), isPrivate: !consumer.app.isPublic }
    try {
      const { changed, reconsent } = await updateConsumer(deps, user, consumer, values)
      const done = reconsent === null ? (changed.length > 0 ? 'updated' : 'unchanged') : reconsent.inGrace > 0 ? 'widened-grace' : 'widened'
      return reply.redirect(`${consumerPath(consumer.app.clientId)}?done=${done}`, 303)
    } catch (error) {
      if (!(error instanceof AppValidationError)) throw error
      return sendForm(request, reply, { mode: 'edit', app: consumer.app, values, workspaces: await workspaceChoices(db, user, consumer.workspace), error: formError(error) })
    }
  })

  server.post<{ Params: ConsumerParams }>(`${CONSUMERS_PATH}/:client_id/rotate-secret`, { schema: rotateSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const consumer = await findManageableConsumer(db, await signedIn(request), request.params.client_id)
    const rotated = await rotateConsumerSecret(deps, consumer)
    return sendSettingsPage(request, reply, secretRotatedPage(consumer.app, rotated.clientSecret, rotated.previousSecretsExpireAt, server.clock.now()))
  })

  server.post<{ Params: ConsumerParams & { action: ConsumerAction }; Body: ActionBody }>(`${CONSUMERS_PATH}/:client_id/:action`, { schema: actionSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const { action } = request.params
    const consumer = await findManageableConsumer(db, await signedIn(request), request.params.client_id)
    await changeConsumerState(deps, consumer, action)
    const back = action === 'delete' || request.body.return_to === 'list' ? CONSUMERS_PATH : consumerPath(consumer.app.clientId)
    return reply.redirect(`${back}?done=${PAST[action]}`, 303)
  })

  function sendForm(request: FastifyRequest, reply: FastifyReply, input: Omit<FormPageInput, 'catalogue' | 'csrf'>): Promise<FastifyReply> {
    return sendSettingsPage(request, reply, formPage({ ...input, catalogue: deps.catalogue, csrf: csrfToken(request) }))
  }
}

async function signedIn(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  // requireSignedIn ran first; a session that ended in between is a sign-in away.
  if (!user) throw new Error('a consumer route ran without a signed-in user')
  return user
}

function formValues(body: ConsumerFormBody): ConsumerFormValues {
  return {
    name: body.name ?? '',
    description: body.description ?? '',
    redirectUris: body.redirect_uris ?? '',
    homepageUrl: body.homepage_url ?? '',
    isPrivate: body.is_private !== undefined,
    workspaceId: body.workspace ?? '',
    scopes: body.scope ?? [],
    reconsentGraceDays: body.reconsent_grace ?? '0',
  }
}

function formError(error: AppValidationError): { field: ConsumerFormField; message: string } {
  return { field: FIELD_OF[error.field] ?? 'form', message: error.message }
}

function doneNotice(query: DoneQuery): string | undefined {
  return query.done !== undefined && Object.hasOwn(DONE, query.done) ? DONE[query.done] : undefined
}
