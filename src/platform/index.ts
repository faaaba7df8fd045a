import type { FastifyInstance } from 'fastify'

/** The sample platform API under `/2.0/`, described by its OpenAPI document. */
export async function platformApi(app: FastifyInstance): Promise<void> {}
