import type { FastifyInstance } from 'fastify'

/** Server-rendered pages: home, sign-in, sign-out, and assets. */
export async function web(app: FastifyInstance): Promise<void> {}
