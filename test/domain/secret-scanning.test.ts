import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { kindCodes, secretFormat, type TokenKind } from '../../src/domain/opaque-token.js'

// The patterns operators paste into their scanners, read from the document they paste them from.
const doc = readFileSync(new URL('../../docs/secret-scanning.md', import.meta.url), 'utf8')

const kindNames: Record<string, TokenKind> = {
  'client secret': 'clientSecret',
  'refresh token': 'refreshToken',
  'authorization code': 'authorizationCode',
  'registration token': 'registrationToken',
  session: 'session',
  'API token': 'apiToken',
  'installation secret': 'installationSecret',
}

function tablePatterns(): Map<TokenKind, string> {
  const section = doc.slice(doc.indexOf('## Patterns'), doc.indexOf('### gitleaks'))
  const patterns = new Map<TokenKind, string>()
  for (const [, name, pattern] of section.matchAll(/^\| ([^|]+?) \| `([^`]+)` \|$/gm)) {
    const kind = kindNames[name!]
    assert.ok(kind, `the document names an unknown kind: ${name}`)
    patterns.set(kind, pattern!)
  }
  return patterns
}

function gitleaksPatterns(): Map<string, string> {
  const toml = /```toml\n([\s\S]*?)```/.exec(doc)![1]!
  return new Map([...toml.matchAll(/id = "gatehouse-([a-z-]+)"[\s\S]*?regex = '''([^']+)'''/g)].map(([, id, regex]) => [id!, regex!]))
}

/** A pattern for another deployment prefix, as the document tells the operator to write it. */
function withPrefix(pattern: string, prefix: string): RegExp {
  return new RegExp(pattern.replaceAll('gth_', `${prefix}_`))
}

const body = (length: number, alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') =>
  Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('')
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

// Other vendors' secrets, shaped as they are issued (assembled here so this file is not itself a finding).
const foreignSecrets = [
  ['gh', 'p_', body(36)], ['gh', 'o_', body(36)], ['gh', 's_', body(36)], ['gh', 'u_', body(36)], ['gh', 'r_', body(76)],
  ['github', '_pat_', `11${body(20, upper)}_${body(59)}`],
  ['xo', 'xb-', `${body(12, '0123456789')}-${body(13, '0123456789')}-${body(24)}`],
  ['xo', 'xp-', `${body(12, '0123456789')}-${body(12, '0123456789')}-${body(13, '0123456789')}-${body(32, '0123456789abcdef')}`],
  ['sk', '_live_', body(99)], ['rk', '_live_', body(99)], ['pk', '_test_', body(99)], ['sk', '_live_', body(24)],
  ['AK', 'IA', body(16, upper)], ['AS', 'IA', body(16, upper)],
  ['', '', body(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+')], // an AWS secret access key
].map((parts) => parts.join(''))

// The scanners' own rules for those vendors (GitHub's published formats, gitleaks' defaults).
const foreignRules = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{36,}\b/,
  /\bgithub_pat_\w{82}\b/,
  /\bxox[baprs]-[0-9A-Za-z-]{10,}/,
  /\b(?:sk|rk|pk)_(?:test|live|prod)_[0-9A-Za-z]{10,99}\b/,
  /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/,
]

test('the document lists one pattern per secret kind, the same in its table and its gitleaks rules', () => {
  const table = tablePatterns()
  assert.deepEqual([...table.keys()].sort(), (Object.keys(kindCodes) as TokenKind[]).sort())
  const gitleaks = gitleaksPatterns()
  assert.equal(gitleaks.size, table.size)
  for (const [kind, pattern] of table) {
    const id = Object.entries(kindNames).find(([, k]) => k === kind)![0].toLowerCase().replaceAll(' ', '-')
    assert.equal(gitleaks.get(id), pattern, `gitleaks rule gatehouse-${id}`)
  }
})

test('each pattern matches freshly generated secrets of its kind, under the default and a custom prefix, and no other kind', () => {
  for (const prefix of ['gth', 'acme', 'corp7']) {
    const format = secretFormat(prefix)
    for (const [kind, pattern] of tablePatterns()) {
      const regex = withPrefix(pattern, prefix)
      for (let i = 0; i < 20; i++) {
        const secret = format.generate(kind)
        assert.match(secret, regex, `${kind} under ${prefix}`)
        assert.match(`token="${secret}"\n`, regex, 'found inside text')
        assert.match(`Authorization: Bearer ${secret}`, regex)
      }
      for (const other of Object.keys(kindCodes) as TokenKind[]) {
        if (other !== kind) assert.doesNotMatch(format.generate(other), regex, `${kind}'s pattern on a ${other}`)
      }
    }
  }
})

test('no pattern matches GitHub, Slack, Stripe or AWS secrets', () => {
  for (const [kind, pattern] of tablePatterns()) {
    for (const secret of foreignSecrets) assert.doesNotMatch(secret, new RegExp(pattern), `${kind} on ${secret.slice(0, 12)}…`)
  }
})

test('no GitHub, Slack, Stripe or AWS scanner rule matches a Gatehouse secret, whatever its kind', () => {
  for (const secret of foreignSecrets.slice(0, -1)) assert.ok(foreignRules.some((rule) => rule.test(secret)), `the rules recognise ${secret.slice(0, 12)}…`)
  for (const prefix of ['gth', 'acme']) {
    for (const kind of Object.keys(kindCodes) as TokenKind[]) {
      const secret = secretFormat(prefix).generate(kind)
      for (const rule of foreignRules) assert.doesNotMatch(secret, rule, `${rule} on ${kind}`)
    }
  }
})
