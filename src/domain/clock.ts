/** The one source of "now" for services; rules in domain/ take `now` as a parameter. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
