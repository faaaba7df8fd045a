import type { IncomingMessage, ServerResponse } from 'node:http'
import cookie from '@fastify/cookie'
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'
import type { Config } from '../config.js'

/**
 * What the scopes that serve pages need: cookies (session, CSRF) and helmet's headers. Registered
 * per page scope, not for the whole server: helmet rebuilds its middleware on every request and the
 * cookie plugin parses on every request, costs the token endpoint and the gateway cannot afford;
 * JSON responses need only the few headers in security/json-response-headers.ts.
 */
export async function pageScope(server: FastifyInstance): Promise<void> {
  await server.register(cookie)
  await server.register(fastifyHelmet, pageHeaderOptions(server.config))
}

function pageHeaderOptions(config: Pick<Config, 'issuer'>): FastifyHelmetOptions {
  const https = new URL(config.issuer).protocol === 'https:'
  return {
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        // Over plain http (a LAN address, local use) it would send the browser to https for the
        // stylesheet and every form post, where nothing answers: every page would break.
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    // HSTS from a plain-http issuer is ignored by browsers at best, and at worst (a name that also
    // answers https elsewhere) pins them to a scheme Gatehouse is not served on.
    strictTransportSecurity: https,
    // Not helmet's `no-referrer`: under it browsers send `Origin: null` with our own form posts,
    // which the form-origin check (csrf.ts) must refuse. Other sites still get no Referer.
    referrerPolicy: { policy: 'same-origin' },
  }
}

const computedHeaders = new WeakMap<Config, Record<string, string>>()

/**
 * The headers a page scope sends, for the few pages sent from outside one: error pages for requests
 * no route took (the not-found handler, malformed URLs) or whose route serves JSON to programs.
 */
export function pageHeaders(config: Config): Record<string, string> {
  let headers = computedHeaders.get(config)
  if (!headers) {
    const collected: Record<string, string> = {}
    const response = {
      setHeader: (name: string, value: string | number) => { collected[name.toLowerCase()] = String(value) },
      removeHeader: (name: string) => { delete collected[name.toLowerCase()] },
    }
    // The same options @fastify/helmet hands to helmet (its types are helmet's CommonJS ones).
    helmet(pageHeaderOptions(config) as Parameters<typeof helmet>[0])({} as IncomingMessage, response as unknown as ServerResponse, () => {})
    headers = collected
    computedHeaders.set(config, headers)
  }
  return headers
}
