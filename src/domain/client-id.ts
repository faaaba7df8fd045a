import { randomInt } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const LENGTH = 20

/**
 * A client_id: public, so it needs no checksum or prefix, but random (about 119 bits)
 * so ids cannot be enumerated, and short enough to read out or paste.
 */
export function newClientId(): string {
  let id = ''
  for (let i = 0; i < LENGTH; i++) id += ALPHABET[randomInt(ALPHABET.length)]
  return id
}
