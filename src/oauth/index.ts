import type { FastifyInstance } from 'fastify'

/** The OAuth 2.0 endpoints: metadata, JWKS, authorize, token, introspect, revoke, register. */
export async function oauth(app: FastifyInstance): Promise<void> {}
