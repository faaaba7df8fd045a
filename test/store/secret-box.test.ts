import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { generateKekText, open, parseKek, seal, SecretBoxError } from '../../src/store/secret-box.js'

const kek = () => parseKek(generateKekText())!

test('a KEK is 32 bytes in hex or base64 (standard or URL-safe); anything else is refused', () => {
  const bytes = randomBytes(32)
  const ids = [bytes.toString('hex'), bytes.toString('hex').toUpperCase(), bytes.toString('base64'), bytes.toString('base64url'), ` ${bytes.toString('base64')}\n`]
    .map((text) => parseKek(text)?.id)
  assert.ok(ids.every((id) => id !== undefined && id === ids[0]), 'every spelling of one key is the same key')
  assert.match(ids[0]!, /^[0-9a-f]{16}$/)
  for (const bad of ['', 'short', randomBytes(31).toString('base64'), randomBytes(33).toString('hex'), randomBytes(16).toString('hex'), 'x'.repeat(44)]) {
    assert.equal(parseKek(bad), undefined, bad)
  }
  assert.notEqual(kek().id, kek().id)
  assert.equal(JSON.stringify(parseKek(bytes.toString('hex'))).includes(bytes.toString('hex')), false, 'the key never serialises')
})

test('seal and open: round trip, bound to the row, named by its KEK, readable with a previous KEK', () => {
  const current = kek()
  const keyring = { current, previous: [] }
  const sealed = seal(keyring, '{"d":"secret"}', 'signing_keys:k1')
  assert.equal(sealed.kekId, current.id)
  assert.doesNotMatch(sealed.sealed, /secret/)
  assert.equal(open(keyring, sealed, 'signing_keys:k1'), '{"d":"secret"}')
  assert.notEqual(seal(keyring, 'same', 'c').sealed, seal(keyring, 'same', 'c').sealed, 'a fresh IV each time')

  // Moved to another row: refused.
  assert.throws(() => open(keyring, sealed, 'signing_keys:k2'), (error: SecretBoxError) => error.reason === 'undecryptable')
  // Altered: refused, whichever part.
  const [version, iv, ciphertext, tag] = sealed.sealed.split('.')
  const flip = (part: string) => { const b = Buffer.from(part, 'base64url'); b[0]! ^= 1; return b.toString('base64url') }
  for (const altered of [[version, flip(iv!), ciphertext, tag], [version, iv, flip(ciphertext!), tag], [version, iv, ciphertext, flip(tag!)], [version, iv, ciphertext, tag!.slice(0, 8)], ['v9', iv, ciphertext, tag]]) {
    assert.throws(() => open(keyring, { kekId: current.id, sealed: altered.join('.') }, 'signing_keys:k1'), SecretBoxError)
  }
  // Another KEK claiming the same id cannot open it either.
  assert.throws(() => open({ current: { ...kek(), id: current.id }, previous: [] }, sealed, 'signing_keys:k1'), (error: SecretBoxError) => error.reason === 'undecryptable')

  // After a KEK rotation the old record opens through `previous`, and is not under the current one.
  const rotated = { current: kek(), previous: [current] }
  assert.equal(open(rotated, sealed, 'signing_keys:k1'), '{"d":"secret"}')
  assert.throws(() => open({ current: rotated.current, previous: [] }, sealed, 'signing_keys:k1'), (error: SecretBoxError) => error.reason === 'unknown-kek' && error.message.includes(current.id))
})
