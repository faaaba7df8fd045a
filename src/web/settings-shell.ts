import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { csrfToken } from './csrf.js'
import { html, type SafeHtml } from './html.js'
import { layout, sendPage } from './layout.js'
import { currentUser, type SessionUser } from './session.js'

/**
 * The settings area's navigation: each capability adds its pages with one call,
 * `server.settingsNav.add({ group, label, path })`, from the plugin that serves them. Groups appear in
 * GROUP_ORDER, sections in the order they were added; `adminOnly` sections are shown to admins only
 * (the routes still check: hiding a link is not access control).
 */
export const GROUP_ORDER = ['Account', 'Workspaces', 'Developer', 'Admin'] as const
export type SettingsGroup = (typeof GROUP_ORDER)[number]

export interface SettingsSection {
  group: SettingsGroup
  label: string
  /** The section's page; pages under it (`/settings/developer/apps/x`) mark it current too. */
  path: string
  adminOnly?: boolean
}

export class SettingsNavigation {
  readonly #sections: SettingsSection[] = []

  add(section: SettingsSection): void {
    if (this.#sections.some((s) => s.path === section.path)) throw new Error(`a settings section already has the path ${section.path}`)
    this.#sections.push(section)
  }

  /** The groups this user sees, each with its sections, in display order. */
  visibleTo(user: SessionUser): { group: SettingsGroup; sections: SettingsSection[] }[] {
    return GROUP_ORDER.map((group) => ({ group, sections: this.#sections.filter((s) => s.group === group && (!s.adminOnly || user.isAdmin)) })).filter((g) => g.sections.length > 0)
  }

  /** Where `/settings` leads: the first section this user sees. */
  firstFor(user: SessionUser): SettingsSection | undefined {
    return this.visibleTo(user)[0]?.sections[0]
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    settingsNav: SettingsNavigation
  }
}

/** Decorates the root server, so every capability's plugin can add its sections. */
export const settingsShell = fp(
  async (server) => {
    server.decorate('settingsNav', new SettingsNavigation())
  },
  { name: 'gatehouse-settings-shell' },
)

export interface SettingsPageInput {
  title: string
  body: SafeHtml
  /** A line under the title. */
  lead?: string | SafeHtml
  /** Buttons or links beside the title (e.g. "Add consumer"). */
  actions?: SafeHtml
  status?: number
}

/**
 * Sends a page of the settings area: the header with the account, the navigation (the current
 * section marked), the title and the body. The route must have made sure someone is signed in
 * (`requireSignedIn`).
 */
export async function sendSettingsPage(request: FastifyRequest, reply: FastifyReply, input: SettingsPageInput): Promise<FastifyReply> {
  const user = await currentUser(request)
  if (!user) throw new Error('sendSettingsPage() needs a signed-in user; add requireSignedIn to the route')
  const path = request.url.split('?')[0]
  const nav = request.server.settingsNav.visibleTo(user)
  const current = nav.flatMap((g) => g.sections).filter((s) => path === s.path || path.startsWith(`${s.path}/`)).sort((a, b) => b.path.length - a.path.length)[0]
  const body = html`<div class="settings">
<nav class="settings-nav" aria-label="Settings">
${nav.map(
  ({ group, sections }) => html`<h2 class="nav-group">${group}</h2>
<ul>
${sections.map((s) => html`<li><a href="${s.path}"${s === current ? html` aria-current="page"` : ''}>${s.label}</a></li>\n`)}</ul>
`,
)}</nav>
<div class="settings-content">
<div class="page-header">
<div>
<h1 id="title">${input.title}</h1>
${input.lead ? html`<p class="lead">${input.lead}</p>` : ''}
</div>
${input.actions ? html`<div class="page-actions">${input.actions}</div>` : ''}
</div>
${input.body}
</div>
</div>`
  return sendPage(reply, layout(input.title, body, { username: user.username, csrfToken: csrfToken(request) }, { wide: true }), input.status)
}

/**
 * A `preHandler` for settings pages: someone must be signed in. A browser that is not is sent to
 * sign in and brought back (GET); a form post without a session is refused (its CSRF check fails first).
 */
export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (await currentUser(request)) return
  const returnTo = request.method === 'GET' ? request.url : '/settings'
  await reply.redirect(`/login?return_to=${encodeURIComponent(returnTo)}`, 303)
}

/** A notice at the top of a page after an action ("The consumer is deleted."), from `?done=` style flags the route maps to text. */
export function flash(message: string | undefined, kind: 'success' | 'error' = 'success'): SafeHtml {
  if (!message) return html``
  return html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</p>`
}
