import type { LifecycleEvent } from '../domain/descriptor.js'

/** The demo vendor's app key: what the platform knows it by (`gatehouse install gatehouse-demo-reports …`). */
export const DEMO_VENDOR_KEY = 'gatehouse-demo-reports'
/** Where the demo vendor is mounted in Gatehouse's process, unless told otherwise. */
export const DEFAULT_BASE_PATH = '/demo-vendor'

/** The lifecycle paths, relative to the app's baseUrl. */
export const LIFECYCLE_PATHS: Readonly<Record<LifecycleEvent, string>> = {
  installed: '/lifecycle/installed',
  uninstalled: '/lifecycle/uninstalled',
  enabled: '/lifecycle/enabled',
  disabled: '/lifecycle/disabled',
}

export const REPORTS_PAGE = { key: 'reports', name: 'Demo reports', url: '/pages/reports' } as const
/** Where the page's AP.proxyRequest goes, relative to baseUrl: this app's server calls the API with the token the platform sends. */
export const PROXY_USER_PATH = '/pages/reports/proxy/user'

/** The app's baseUrl: the platform's URL and the vendor's mount path (http on loopback, in development). */
export function demoVendorBaseUrl(platformUrl: string, basePath = DEFAULT_BASE_PATH): string {
  return `${platformUrl.replace(/\/+$/, '')}${basePath}`
}

/**
 * The descriptor the demo vendor publishes at `<baseUrl>/descriptor.json`: the worked example of the
 * format in `src/domain/descriptor.ts`. It asks for the granular read scopes its page uses —
 * `read:workspace` (the app JWT lists its workspace), `read:repository` (the JWT grant's token lists
 * repositories), `read:user` (the impersonation token reads the user) — and `act_as_user` for
 * impersonation. `npx gatehouse lint src/demo-vendor` checks them against its calls.
 */
export function demoVendorDescriptor(platformUrl: string, basePath = DEFAULT_BASE_PATH, baseUrl = demoVendorBaseUrl(platformUrl, basePath)) {
  return {
    key: DEMO_VENDOR_KEY,
    name: 'Demo reports',
    description: "Gatehouse's demo installed app: it verifies its lifecycle callbacks, keeps its installations, and calls the API with an app JWT, the JWT grant and user impersonation.",
    vendor: { name: 'Gatehouse demo vendor', url: baseUrl },
    baseUrl,
    authentication: { type: 'jwt' as const },
    lifecycle: { ...LIFECYCLE_PATHS },
    scopes: ['read:user', 'read:workspace', 'read:repository', 'act_as_user'],
    modules: { pages: [{ ...REPORTS_PAGE }] },
    approval: 'shared' as const,
  }
}
