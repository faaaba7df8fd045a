import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy between the server under test and a real dependency (PostgreSQL, Redis), so a test
 * can cut the connections or take the dependency away and bring it back, as a failover or a
 * restart would, without touching the machine's own service.
 */
export interface TcpProxy {
  port: number
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string
  /** Destroys every open connection (both sides); new connections are still accepted. */
  cut(): void
  /** Stops listening and cuts every connection: the dependency is gone. */
  stop(): Promise<void>
  /** Listens again on the same port. */
  start(): Promise<void>
  /** Connections accepted so far. */
  accepted(): number
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let accepted = 0
  let server: Server | undefined
  let port = 0

  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // A cut connection errors on both sides; that is the point, not a test failure.
    socket.on('error', () => {})
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        accepted++
        const upstream = createConnection(target)
        track(client)
        track(upstream)
        client.pipe(upstream).pipe(client)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as { port: number }).port
        server = next
        resolve()
      })
    })

  const cut = () => {
    for (const socket of sockets) socket.destroy()
    sockets.clear()
  }

  await listen()
  return {
    get port() {
      return port
    },
    via(url: string) {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(port)
      return parsed.toString()
    },
    cut,
    stop: async () => {
      const closing = server
      server = undefined
      const closed = closing ? new Promise<void>((resolve) => closing.close(() => resolve())) : Promise.resolve()
      cut()
      await closed
    },
    start: async () => {
      if (!server) await listen()
    },
    accepted: () => accepted,
  }
}

/** The host and port a `postgres://` or `redis://` URL names. */
export function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url)
  return { host: parsed.hostname || '127.0.0.1', port: parsed.port ? Number(parsed.port) : defaultPort }
}
