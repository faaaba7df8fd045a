import type { FastifyReply } from 'fastify'

/**
 * Lets this page's forms reach `source` as well as this site. Chromium applies
 * `form-action` to the redirects that follow a form post, so a consent form
 * whose answer redirects to the app needs the app's origin here.
 */
export function allowFormAction(reply: FastifyReply, source: string): void {
  const policy = reply.getHeader('content-security-policy')
  if (typeof policy !== 'string') return
  const directives = policy.split(';').map((d) => d.trim()).filter((d) => d !== '')
  const index = directives.findIndex((d) => d.split(/\s+/)[0].toLowerCase() === 'form-action')
  if (index === -1) directives.push(`form-action 'self' ${source}`)
  else directives[index] = `${directives[index]} ${source}`
  reply.header('content-security-policy', directives.join(';'))
}
