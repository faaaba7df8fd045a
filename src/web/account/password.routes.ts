import type { FastifyInstance } from 'fastify'
import { passwordProblem } from '../../users/users.service.js'
import { csrfToken, verifyCsrf } from '../csrf.js'
import { sessionDeps } from '../session.js'
import { requireSignedIn, sendSettingsPage } from '../settings-shell.js'
import { passwordFormSchema, passwordPageSchema, type PasswordBody, type PasswordQuery } from './account.schemas.js'
import { changeOwnPassword } from './account.service.js'
import { PASSWORD_PATH, passwordPage, type PasswordErrors } from './password.page.js'
import { signedIn } from './signed-in.js'

const WRONG_CURRENT_PASSWORD = 'That is not your current password'

export async function passwordRoutes(server: FastifyInstance): Promise<void> {
  const deps = sessionDeps(server)

  server.get<{ Querystring: PasswordQuery }>(
    PASSWORD_PATH,
    { schema: passwordPageSchema, preHandler: requireSignedIn, config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { user } = await signedIn(request)
      return sendSettingsPage(request, reply, passwordPage({ csrfToken: csrfToken(request), username: user.username, ended: request.query.ended }))
    },
  )

  server.post<{ Body: PasswordBody }>(
    PASSWORD_PATH,
    { schema: passwordFormSchema, preHandler: [requireSignedIn, verifyCsrf], config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { user, sessionHash } = await signedIn(request)
      const { current_password: currentPassword, new_password: newPassword } = request.body
      const showErrors = (errors: PasswordErrors) =>
        sendSettingsPage(request, reply, { ...passwordPage({ csrfToken: csrfToken(request), username: user.username, errors }), status: 400 })

      const formErrors = checkForm(request.body)
      if (formErrors) return showErrors(formErrors)
      // Throttled like a sign-in (429 while locked), hashing under the concurrency limit (503 beyond it).
      const changed = await server.passwordAttempts.attempt(request.ip, user.username, () =>
        changeOwnPassword(deps, { username: user.username, currentPassword, newPassword, keepSessionHash: sessionHash }),
      )
      if (!changed) return showErrors({ current_password: WRONG_CURRENT_PASSWORD })
      return reply.redirect(`${PASSWORD_PATH}?ended=${changed.endedSessions}`, 303)
    },
  )
}

/** What is wrong with the form before any password is checked, so a typo costs no attempt. */
function checkForm(body: PasswordBody): PasswordErrors | undefined {
  const errors: PasswordErrors = {}
  if (body.current_password === '') errors.current_password = 'Enter your current password'
  const weak = passwordProblem(body.new_password)
  if (weak) errors.new_password = weak
  else if (body.confirm_password !== body.new_password) errors.confirm_password = 'This does not match the new password'
  return Object.keys(errors).length > 0 ? errors : undefined
}
