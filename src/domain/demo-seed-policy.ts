import { isLoopbackHost } from './loopback.js'

export interface DemoSeedSettings {
  /** GATEHOUSE_SEED_DEMO; undefined when unset. */
  seedDemo: boolean | undefined
  databaseUrl: string
  host: string
}

export interface DemoSeedDecision {
  seed: boolean
  /** One line for the operator when GATEHOUSE_SEED_DEMO=true is ignored, saying why. */
  notice?: string
}

/**
 * The demo prints an admin password and an app secret with every scope, which on a server would land
 * in its logs, and gives a fresh deployment accounts nobody asked for. So it is seeded only where
 * Gatehouse is being tried: the embedded SQLite database, listening on loopback. Elsewhere an explicit
 * GATEHOUSE_SEED_DEMO=true is ignored with a notice rather than refused, so the same settings can
 * move from a laptop to a server without stopping start-up. The playground's default follows it.
 */
export function demoSeedDecision(config: DemoSeedSettings): DemoSeedDecision {
  if (config.seedDemo === false) return { seed: false }
  const refusal = !config.databaseUrl.startsWith('sqlite:')
    ? 'the database is not the embedded SQLite one'
    : !isLoopbackHost(config.host)
      ? `HOST ${config.host} is not a loopback address`
      : undefined
  if (refusal === undefined) return { seed: true }
  if (config.seedDemo === undefined) return { seed: false }
  return { seed: false, notice: `GATEHOUSE_SEED_DEMO=true ignored: ${refusal}; the demo (whose passwords and secret are printed) is seeded only into the embedded SQLite database on a loopback address` }
}
