import { VendorError } from './vendor-errors.js'

const REQUEST_TIMEOUT_MS = 10_000

export interface ProxiedAnswer {
  answeredBy: string
  /** GET /2.0/user, as the platform answered it to the token this server was sent. */
  user: unknown
}

/**
 * AP.proxyRequest brought a token (`Authorization: Bearer …`) acting as the person using the page:
 * this server calls the API with it, as a vendor's backend would, and answers what it learnt.
 */
export async function userFromPlatform(authorization: string | undefined, platformUrl: string): Promise<ProxiedAnswer> {
  const match = authorization === undefined ? null : /^Bearer +([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(authorization)
  if (!match) throw new VendorError('invalid_token', 'this endpoint is called through AP.proxyRequest, which sends "Authorization: Bearer <token>"')
  let response: Response
  try {
    response = await fetch(`${platformUrl}/2.0/user`, {
      headers: { accept: 'application/json', authorization: `Bearer ${match[1]}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
  } catch (error) {
    throw new VendorError('platform_unreachable', `the platform did not answer: ${(error as Error).message}`)
  }
  const body = await response.text()
  if (response.status !== 200) throw new VendorError('platform_refused', `the platform answered ${response.status} to the token it sent: ${body.slice(0, 300)}`)
  return { answeredBy: 'Demo reports server', user: JSON.parse(body) as unknown }
}
