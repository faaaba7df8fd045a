import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'

// semver comes with Fastify, which uses it for the same kind of check.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null
  satisfies(version: string, range: string): boolean
}

function json(path: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'))
}

test('regression: every locked package accepts the oldest Node that package.json promises, so npm ci warns no EBADENGINE', () => {
  const promised = json('../package.json').engines.node as string
  const oldest = semver.minVersion(promised)!.version
  const refusing = Object.entries(json('../package-lock.json').packages as Record<string, { version?: string; engines?: { node?: string } }>)
    .filter(([path, entry]) => path !== '' && typeof entry.engines?.node === 'string' && !semver.satisfies(oldest, entry.engines.node))
    .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version} wants Node ${entry.engines!.node}`)
  assert.deepEqual(refusing, [], `package.json promises Node ${promised}`)
})

test('the README names the same oldest Node as package.json', () => {
  const oldest = semver.minVersion(json('../package.json').engines.node)!.version
  assert.match(readFileSync(new URL('../README.md', import.meta.url), 'utf8'), new RegExp(`Node ${oldest.replace(/\./g, '\\.')} or newer`))
})
