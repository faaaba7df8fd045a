import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.js'
import { isLoopbackHost } from '../domain/loopback.js'
import type { AppRequestPolicy } from './app-requests.js'
import { CallbackDeliverer } from './callbacks.js'
import type { DescriptorDeps } from './descriptors.service.js'
import type { InstallationDeps } from './installations.service.js'

/** How long an app has to answer a callback or a descriptor fetch. */
const APP_REQUEST_TIMEOUT_MS = 10_000

/**
 * Where requests to apps may go. Loopback only when Gatehouse itself listens there (development,
 * the demo, tests): then the app runs beside it, and http is accepted for its baseUrl too.
 */
export function appRequestPolicy(config: Pick<Config, 'host' | 'callbackAllowlist'>): AppRequestPolicy {
  return { allowlist: config.callbackAllowlist, allowLoopback: isLoopbackHost(config.host), timeoutMs: APP_REQUEST_TIMEOUT_MS }
}

export interface InstalledAppsRuntime {
  descriptors: DescriptorDeps
  installations: InstallationDeps
  deliverer: CallbackDeliverer
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The lifecycle of installed apps in this process: deps for the services, and the callback deliverer. */
    installedApps: InstalledAppsRuntime
  }
}

/** Decorates the server with the installed-apps services' deps and runs the callback deliverer while it listens. */
export async function lifecycle(server: FastifyInstance, options: { retryDelaysMs?: readonly number[] } = {}): Promise<void> {
  const requests = appRequestPolicy(server.config)
  const deliverer = new CallbackDeliverer({ db: server.db, clock: server.clock, connectKeys: server.connectKeys, requests, log: server.log }, { retryDelaysMs: options.retryDelaysMs })
  server.decorate('installedApps', {
    descriptors: {
      db: server.db,
      clock: server.clock,
      scopeNames: server.apiDescription.scopes.map((s) => s.name),
      allowInsecureBaseUrl: requests.allowLoopback,
      requests,
      consent: server.consent,
    },
    installations: {
      db: server.db,
      clock: server.clock,
      keyring: server.keyEncryption.keyring,
      issuer: server.config.issuer,
      connectKeys: server.connectKeys,
      requests,
      revocations: server.revocations,
      deliverer,
      accessTokenTtlSeconds: server.config.accessTokenTtlSeconds,
      consent: server.consent,
    },
    deliverer,
  })
  server.addHook('onReady', async () => deliverer.start())
  server.addHook('onClose', async () => deliverer.stop())
}
