import type { FastifyInstance } from 'fastify'
import { headerAccount, pageScope, sendPage } from '../web/index.js'
import { scopeReference } from './reference-model.js'
import { referenceContent, referencePage } from './reference.page.js'

export const REFERENCE_PATH = '/docs/scopes'

/** The scope reference, public: built once from the API description, wrapped per request for the header's account. */
export async function referenceRoutes(server: FastifyInstance): Promise<void> {
  await pageScope(server)
  const content = referenceContent(scopeReference(server.apiDescription))
  server.get(REFERENCE_PATH, { config: { errorFormat: 'page' } }, async (request, reply) =>
    sendPage(reply, referencePage(content, await headerAccount(request))))
}
