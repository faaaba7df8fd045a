import type { FastifyReply } from 'fastify'

/**
 * Lets this page's forms reach `source` as well as this site. Chromium applies
 * `form-action` to the redirects that follow a form post, so a consent form
 * whose answer redirects to the app needs the app's origin here.
 */
export function allowFormAction(reply: FastifyReply, source: string): void {
  extendDirective(reply, 'form-action', source)
}

/**
 * Lets this page embed `source` in a frame: an installed app's page module, shown inside the
 * platform. Only the page that shows it; every other page keeps frames to this site.
 */
export function allowFrameSource(reply: FastifyReply, source: string): void {
  extendDirective(reply, 'frame-src', source)
}

/**
 * Lets this page's scripts fetch from `source` as well as this site: the request bridge's
 * proxyRequest, which the page module's page sends to the app's own server.
 */
export function allowConnectSource(reply: FastifyReply, source: string): void {
  extendDirective(reply, 'connect-src', source)
}

/** Adds `source` to a directive of the response's policy; an absent directive starts from 'self' (what default-src gives it). */
function extendDirective(reply: FastifyReply, name: string, source: string): void {
  const policy = reply.getHeader('content-security-policy')
  if (typeof policy !== 'string') return
  const directives = policy.split(';').map((d) => d.trim()).filter((d) => d !== '')
  const index = directives.findIndex((d) => d.split(/\s+/)[0].toLowerCase() === name)
  if (index === -1) directives.push(`${name} 'self' ${source}`)
  else directives[index] = `${directives[index]} ${source}`
  reply.header('content-security-policy', directives.join(';'))
}
