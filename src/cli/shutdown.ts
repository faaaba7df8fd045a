import type { FastifyInstance } from 'fastify'

export interface ShutdownOptions {
  /** After this long the process exits with 1 whatever is still running. */
  timeoutMs: number
  exit?: (code: number) => never
}

// Keep-alive connections that finish their last request while the server drains are closed this soon,
// not after Fastify's keep-alive timeout (72 s), which would otherwise hold the shutdown open.
const IDLE_SWEEP_MS = 100

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish (Fastify's `close`
 * waits for them and answers 503 to new requests on open keep-alive connections), close the database
 * and Redis through the app's onClose hooks, and exit 0. A second signal, or `timeoutMs`, exits 1 at once:
 * an operator who presses Ctrl-C twice, or an orchestrator's grace period, has the last word.
 */
export function shutDownOnSignals(server: FastifyInstance, { timeoutMs, exit = process.exit }: ShutdownOptions): void {
  let shuttingDown = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      server.log.warn({ signal }, 'second signal: exiting without waiting for in-flight requests')
      return exit(1)
    }
    shuttingDown = true
    server.log.info({ signal, timeoutMs }, 'shutting down: no new connections; waiting for in-flight requests')
    const deadline = setTimeout(() => {
      server.log.warn({ timeoutMs }, 'shutdown timed out: exiting with requests still in flight')
      exit(1)
    }, timeoutMs)
    const sweep = setInterval(() => server.server.closeIdleConnections(), IDLE_SWEEP_MS)
    server.close().then(
      () => {
        clearTimeout(deadline)
        clearInterval(sweep)
        server.log.info('shut down')
        exit(0)
      },
      (error: unknown) => {
        server.log.error({ err: error }, 'shutdown failed')
        exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
