import type { FastifyReply, FastifyRequest } from 'fastify'
import { currentUser, html, sendSettingsPage, type SessionUser } from '../web/index.js'

/**
 * The one rule for the admin console: a signed-in, enabled account with the admin flag
 * (`users.is_admin`, read from the database with the session on every request, so taking the flag
 * away or disabling the account takes effect at once). A `preHandler` after `requireSignedIn`:
 * anyone else gets a 403 page in the settings layout, saying an administrator is needed.
 */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const user = await currentUser(request)
  if (!user) throw new Error('requireAdmin comes after requireSignedIn')
  if (user.isAdmin) return
  const what = request.method === 'GET' || request.method === 'HEAD' ? 'page' : 'action'
  await sendSettingsPage(request, reply, {
    title: 'Administrators only',
    status: 403,
    body: html`<div class="panel" role="alert">
<p><strong>This ${what} needs an administrator, and ${user.username} is not one.</strong></p>
<p class="muted">Administrators manage the accounts, apps and workspaces of this Gatehouse. If something here needs changing, ask one of them.</p>
</div>
<p><a href="/settings">Back to your settings</a></p>`,
  })
}

/** The administrator a console route acts for; `requireAdmin` has run. */
export async function signedInAdmin(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  if (!user?.isAdmin) throw new Error('signedInAdmin() is for routes behind requireAdmin')
  return user
}
