import type { FastifyInstance } from 'fastify'

/** The request gate in front of `/2.0/`: bearer token → identity → scope checks → the API. */
export async function gateway(app: FastifyInstance): Promise<void> {}
