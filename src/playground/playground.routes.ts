import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { currentUser, headerAccount, readCookie, sendPage, verifyCsrf, writeCookie } from '../web/index.js'
import { playgroundPage, type PlaygroundPageInput } from './playground.page.js'
import { ensurePlaygroundClient, type PlaygroundClientDeps } from './playground-client.js'
import {
  actionSchema,
  callbackSchema,
  startSchema,
  tokenActionSchema,
  type CallbackQuery,
  type CsrfOnlyBody,
  type StartQuery,
  type TokenActionBody,
} from './playground.schemas.js'
import { callApi, exchangeCode, introspect, offeredScopes, receiveCallback, refresh, revoke, startWalk, StepNotReady, walkSeenBy } from './playground.service.js'
import { WALK_COOKIE_MAX_AGE_SECONDS, Walks, type Walk } from './walks.js'

const page = { errorFormat: 'page' } as const

/** /playground: the authorization-code flow, step by step, each request made for real and shown. */
export async function playgroundRoutes(server: FastifyInstance): Promise<void> {
  const { config, clock } = server
  const issuer = config.issuer
  const walks = new Walks()
  const clientDeps: PlaygroundClientDeps = {
    db: server.db, clock, secrets: server.secrets, notices: server.revocations, catalogue: server.apiDescription.scopes, issuer,
  }

  const walkOf = (request: FastifyRequest) => walks.get(readCookie(request, 'playground'), clock.now())

  const render = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<PlaygroundPageInput> = {}, status = 200) => {
    const client = await ensurePlaygroundClient(clientDeps)
    const offered = client.ok ? offeredScopes(client.app, clientDeps.catalogue) : []
    const { walk, tokensHidden } = walkSeenBy(walkOf(request), (await currentUser(request))?.id)
    const input: PlaygroundPageInput = { issuer, client, offered, walk, tokensHidden, account: await headerAccount(request), ...extra }
    return sendPage(reply, playgroundPage(input), status)
  }

  server.get('/playground', { config: page }, (request, reply) => render(request, reply))

  server.get<{ Querystring: StartQuery }>('/playground/start', { schema: startSchema, config: page }, async (request, reply) => {
    const chosen = request.query.scope ?? []
    const client = await ensurePlaygroundClient(clientDeps)
    if (!client.ok) return render(request, reply, {}, 409)
    const walk = startWalk(issuer, offeredScopes(client.app, clientDeps.catalogue), chosen)
    if ('problem' in walk) return render(request, reply, { walk: undefined, scopeForm: { chosen, error: walk.problem } }, 400)
    const key = walks.newKey()
    walks.save(key, walk, clock.now())
    writeCookie(request, reply, 'playground', key, WALK_COOKIE_MAX_AGE_SECONDS)
    return reply.redirect('/playground#step-2', 303)
  })

  server.get<{ Querystring: CallbackQuery }>('/playground/callback', { schema: callbackSchema, config: page }, async (request, reply) => {
    const key = readCookie(request, 'playground')
    const answered = receiveCallback(issuer, walkOf(request), request.query, (await currentUser(request))?.id)
    if ('problem' in answered) return render(request, reply, { notice: answered.problem }, 400)
    walks.save(key!, answered, clock.now())
    return reply.header('cache-control', 'no-store').redirect('/playground#step-3', 303)
  })

  /** Steps 4–8: one request each, then back to the page at that step (post/redirect/get). */
  const action = (path: string, anchor: string, run: (walk: Walk, body: TokenActionBody | CsrfOnlyBody) => Promise<Walk>, schema: typeof actionSchema | typeof tokenActionSchema) => {
    server.post<{ Body: TokenActionBody | CsrfOnlyBody }>(path, { schema, preHandler: verifyCsrf, config: page }, async (request, reply) => {
      const key = readCookie(request, 'playground')
      const walk = walkOf(request)
      if (!walk || key === undefined) return render(request, reply, { notice: 'This browser has no walk-through in progress: it may have expired (after an hour) or the server restarted. Build a new authorization URL in step 1.' }, 409)
      const user = await currentUser(request)
      if (!user) return render(request, reply, { notice: 'Your sign-in has ended: sign in again to go on.' }, 409)
      if (walk.ownerId !== undefined && walk.ownerId !== user.id) {
        return render(request, reply, { notice: 'The tokens of this walk-through belong to another account. Sign in as that account to go on, or start over in step 1.' }, 409)
      }
      try {
        walks.save(key, await run({ ...walk, ownerId: user.id }, request.body), clock.now())
      } catch (error) {
        if (error instanceof StepNotReady) return render(request, reply, { notice: error.message }, 409)
        throw error
      }
      return reply.redirect(`/playground#${anchor}`, 303)
    })
  }
  action('/playground/token', 'step-4', (walk) => exchangeCode(issuer, walk), actionSchema)
  action('/playground/api', 'step-5', (walk) => callApi(issuer, walk), actionSchema)
  action('/playground/refresh', 'step-6', (walk) => refresh(issuer, walk), actionSchema)
  action('/playground/introspect', 'step-7', (walk, body) => introspect(issuer, walk, (body as TokenActionBody).token), tokenActionSchema)
  action('/playground/revoke', 'step-8', (walk, body) => revoke(issuer, walk, (body as TokenActionBody).token), tokenActionSchema)
}
