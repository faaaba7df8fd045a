import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Clock } from '../../src/domain/clock.js'
import type { LifecycleEvent } from '../../src/domain/descriptor.js'
import { demoVendorApp, demoVendorBaseUrl, DEMO_VENDOR_KEY } from '../../src/demo-vendor/index.js'
import type { StoreData, VendorInstallation } from '../../src/demo-vendor/installation-store.js'
import { startTestApp, type TestApp } from '../support/app.js'

export interface VendorFixture extends TestApp {
  /** The platform: the test app's issuer. */
  issuer: string
  /** The demo vendor's baseUrl (`<issuer>/demo-vendor`). */
  baseUrl: string
  dataDir: string
  /** What the vendor's store file holds now. */
  stored(): StoreData
  installation(clientKey: string): VendorInstallation | undefined
}

/** A listening Gatehouse with the demo vendor mounted, its store in a fresh folder. */
export async function startVendor(options: { vendorClock?: Clock } = {}): Promise<VendorFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-vendor-'))
  const t = await startTestApp({}, {
    listen: true,
    beforeReady: async (app) => {
      await app.register(demoVendorApp, { platformUrl: app.config.issuer, dataDir, clock: options.vendorClock })
    },
  })
  const stored = () => JSON.parse(readFileSync(join(dataDir, 'installations.json'), 'utf8')) as StoreData
  return {
    ...t,
    issuer: t.config.issuer,
    baseUrl: demoVendorBaseUrl(t.config.issuer),
    dataDir,
    stored,
    installation: (clientKey) => stored().installations[clientKey],
    close: async () => {
      await t.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface InstalledPayload {
  key: string
  clientKey: string
  sharedSecret?: string
  oauthClientId: string
  baseUrl: string
  displayUrl: string
  productType: string
  description: string
  eventType: LifecycleEvent
  workspace?: { slug: string; name: string }
  previousClientKey?: string
}

/** A lifecycle payload as the platform sends it. */
export function payload(v: Pick<VendorFixture, 'issuer'>, event: LifecycleEvent, clientKey: string, extra: Partial<InstalledPayload> = {}): InstalledPayload {
  return {
    key: DEMO_VENDOR_KEY,
    clientKey,
    ...(event === 'installed' ? { sharedSecret: `gth_is_secret-of-${clientKey}-${Math.random().toString(36).slice(2)}` } : {}),
    oauthClientId: `oauth-${clientKey}`,
    baseUrl: v.issuer,
    displayUrl: `${v.issuer}/demo`,
    productType: 'gatehouse',
    description: 'Demo workspace',
    eventType: event,
    workspace: { slug: 'demo', name: 'Demo workspace' },
    ...extra,
  }
}

/** POSTs a lifecycle callback over HTTP, signed by the platform's connect keys exactly as the platform signs one (unless a token is given). */
export async function sendCallback(v: VendorFixture, event: LifecycleEvent, body: unknown, options: { token?: string; path?: string } = {}): Promise<Response> {
  const url = `${v.baseUrl}${options.path ?? `/lifecycle/${event}`}`
  const token = options.token ?? (await v.app.connectKeys.signCallback({ audience: v.baseUrl, method: 'POST', url }))
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `JWT ${token}` }, body: JSON.stringify(body) })
}

/** Installs `clientKey` with a verified callback; returns the payload sent (with its secret). */
export async function install(v: VendorFixture, clientKey: string, extra: Partial<InstalledPayload> = {}): Promise<InstalledPayload> {
  const body = payload(v, 'installed', clientKey, extra)
  const response = await sendCallback(v, 'installed', body)
  if (response.status !== 204) throw new Error(`installed answered ${response.status}: ${await response.text()}`)
  return body
}
