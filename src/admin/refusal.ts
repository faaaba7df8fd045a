import { GatehouseError } from '../errors.js'

/**
 * A refusal the console shows on the page it was asked from (a rule such as "the last
 * administrator", an unknown name): its message is for people. Anything else is the error
 * handler's business.
 */
export function refusalOf(error: unknown): GatehouseError | undefined {
  return error instanceof GatehouseError && error.expose && error.status >= 400 && error.status < 500 ? error : undefined
}
