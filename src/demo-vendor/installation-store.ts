import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { LifecycleEvent } from '../domain/descriptor.js'

/**
 * The demo vendor's own storage, apart from Gatehouse's database, as a vendor's would be: one JSON
 * file in a folder of its own. Every change rewrites the file aside and renames it into place, so a
 * crash leaves the old file or the new one, never half of one; changes in this process are applied
 * one at a time. One process serves the demo vendor, so nothing coordinates between processes.
 */

/** 'moved': a later installation of the same workspace (after a site import) took over its data. */
export type VendorInstallationState = 'enabled' | 'disabled' | 'uninstalled' | 'moved'

/** One API call made from the page, as the page shows it; credentials are masked before it is stored. */
export interface CallRecord {
  method: 'app-jwt' | 'jwt-grant' | 'impersonation'
  at: number
  /** Who the call acted for, as the page asked: the viewing user for impersonation. */
  userId: string
  ok: boolean
  steps: CallStep[]
}

export interface CallStep {
  title: string
  request: string
  /** The claims of the JWT sent, if any: what a vendor needs to see to get them right. */
  claims?: Record<string, unknown>
  status: number | null
  response: string
}

export interface VendorInstallation {
  clientKey: string
  key: string
  /** Null once uninstalled or moved: nothing can be signed for it any more. */
  sharedSecret: string | null
  oauthClientId: string
  /** The platform's URL from the `installed` payload (`baseUrl`). */
  platformBaseUrl: string
  displayUrl: string | null
  productType: string | null
  description: string | null
  state: VendorInstallationState
  /** The first `installed` of this clientKey. */
  installedAt: number
  updatedAt: number
  /** The clientKeys this workspace had before, newest first (from `previousClientKey`). */
  lineage: string[]
  /** The clientKey that took over this one's data. */
  movedTo: string | null
  /** From the payload's `workspace`, or else learnt from the API (the app JWT lists the app account's workspaces). */
  workspace: { slug: string; name: string } | null
  /** The lifecycle callbacks received, newest first (at most `MAX_EVENTS`). */
  events: { event: LifecycleEvent; at: number; note?: string }[]
  /** The app's own data, which follows the workspace through an import: the calls made from the page, newest first. */
  calls: CallRecord[]
}

/** An installation that holds its secret: one the app can sign for. */
export type LiveInstallation = VendorInstallation & { sharedSecret: string }

export interface StoreData {
  version: 1
  /** Signs the page's own form tokens (page-context.ts); made on first start, kept so a restart does not void open pages. */
  formKey: string
  installations: Record<string, VendorInstallation>
}

export const MAX_EVENTS = 20
export const MAX_CALLS = 10
const FILE_NAME = 'installations.json'

export class InstallationStore {
  #data: StoreData
  #queue: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly file: string,
    data: StoreData,
  ) {
    this.#data = data
  }

  /** Opens the store in `dataDir` (made if missing, mode 0700), or starts an empty one. A file it cannot read stops start-up, naming it: never silently emptied. */
  static async open(dataDir: string): Promise<InstallationStore> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    const file = join(dataDir, FILE_NAME)
    const data = await readStore(file)
    const store = new InstallationStore(file, data ?? { version: 1, formKey: randomBytes(32).toString('base64url'), installations: {} })
    if (!data) await store.update(() => undefined)
    return store
  }

  get formKey(): string {
    return this.#data.formKey
  }

  get(clientKey: string): VendorInstallation | undefined {
    return findIn(this.#data, clientKey)
  }

  list(): VendorInstallation[] {
    return Object.values(this.#data.installations).sort((a, b) => b.updatedAt - a.updatedAt)
  }

  /**
   * Applies `change` to a copy of the data and writes it; the copy replaces what readers see only
   * once it is on disk. Changes run one after another, each seeing the previous one's result.
   */
  update<T>(change: (data: StoreData) => T): Promise<T> {
    const run = this.#queue.then(async () => {
      const next = structuredClone(this.#data)
      const result = change(next)
      await writeAtomically(this.file, JSON.stringify(next, null, 2))
      this.#data = next
      return result
    })
    this.#queue = run.catch(() => undefined)
    return run
  }

  /** Resolves once every change asked for so far is written. */
  async flushed(): Promise<void> {
    await this.#queue
  }
}

/** The installation `clientKey` in `data`: an own property only, so a clientKey such as `__proto__` is a key like any other. */
export function findIn(data: StoreData, clientKey: string): VendorInstallation | undefined {
  return Object.hasOwn(data.installations, clientKey) ? data.installations[clientKey] : undefined
}

/** Stores `installation` in `data` under its clientKey: defined, not assigned, for the same reason. */
export function putIn(data: StoreData, installation: VendorInstallation): void {
  Object.defineProperty(data.installations, installation.clientKey, { value: installation, enumerable: true, writable: true, configurable: true })
}

async function readStore(file: string): Promise<StoreData | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const data = JSON.parse(text) as StoreData
    if (data.version !== 1 || typeof data.formKey !== 'string' || typeof data.installations !== 'object' || data.installations === null) throw new Error('unexpected shape')
    return data
  } catch (error) {
    throw new Error(`the demo vendor's store ${file} cannot be read (${(error as Error).message}); move it aside to start with no installations`)
  }
}

/** Written beside the file, flushed, then renamed over it: readers see the old file or the new one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temporary, 'w', 0o600)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
