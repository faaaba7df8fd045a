import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { systemClock, type Clock } from '../domain/clock.js'
import { sqliteFile } from '../store/embedded-database.js'
import { DEFAULT_BASE_PATH, demoVendorBaseUrl } from './descriptor.js'
import { InstallationStore } from './installation-store.js'
import { vendorRoutes } from './routes.js'

export { DEFAULT_BASE_PATH, DEMO_VENDOR_KEY, demoVendorBaseUrl, demoVendorDescriptor, REPORTS_PAGE } from './descriptor.js'
export { PAGE_CONTEXT_MAX_SECONDS, PAGE_CONTEXT_SECONDS, pageModuleSrc, type PageModuleFrame } from './page-context.js'

export interface DemoVendorOptions {
  /** Gatehouse's public URL (the issuer): the callbacks' `iss`, where keys are fetched and the API is called. */
  platformUrl: string
  /** Where the vendor is served in this process; its routes are registered under it (pass no `prefix`). */
  basePath?: string
  /**
   * The vendor's own public URL, when it is served on another origin than the platform's (its own
   * listener); by default the platform's URL and `basePath`, in Gatehouse's own process.
   */
  baseUrl?: string
  /** The folder of the vendor's own store (`installations.json`), apart from Gatehouse's database. */
  dataDir: string
  clock?: Clock
}

/**
 * Where the demo vendor keeps its store when Gatehouse serves it: a `demo-vendor` folder beside the
 * embedded SQLite database (`data/demo-vendor/`), or under the system's temporary folder otherwise.
 */
export function demoVendorDataDir(databaseUrl: string): string {
  const file = sqliteFile(databaseUrl)
  return file === undefined ? join(tmpdir(), 'gatehouse-demo-vendor') : join(dirname(file), 'demo-vendor')
}

/**
 * The demo vendor: an installed app served by Gatehouse's own process, behaving as a vendor's server
 * elsewhere would. It publishes its descriptor (`<basePath>/descriptor.json`), verifies lifecycle
 * callbacks with jose against the platform's `/connect/keys/<kid>`, keeps installations in its own
 * store, serves its page module, and calls the API over HTTP with an app JWT, the JWT grant and
 * user impersonation. It uses nothing of Gatehouse but pure rules (`qsh`) and the HTML template.
 */
export async function demoVendorApp(server: FastifyInstance, options: DemoVendorOptions): Promise<void> {
  const platformUrl = options.platformUrl.replace(/\/+$/, '')
  const basePath = options.basePath ?? DEFAULT_BASE_PATH
  const store = await InstallationStore.open(options.dataDir)
  server.addHook('onClose', () => store.flushed())
  await server.register(vendorRoutes, {
    prefix: basePath,
    platformUrl,
    basePath,
    appBaseUrl: options.baseUrl?.replace(/\/+$/, '') ?? demoVendorBaseUrl(platformUrl, basePath),
    store,
    clock: options.clock ?? systemClock,
  })
}
