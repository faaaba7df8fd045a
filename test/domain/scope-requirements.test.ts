import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closestRequirement, compileRequirements, metRequirement, warns } from '../../src/domain/scope-requirements.js'
import { scopeSet, type ScopeCatalogue } from '../../src/domain/scopes.js'

const catalogue: ScopeCatalogue = [
  { name: 'read:issue', description: 'Read issues' },
  { name: 'read:issue-comment', description: 'Read comments' },
  { name: 'write:issue', description: 'Change issues' },
  { name: 'issue', description: 'Issues (classic)', replacedBy: ['read:issue', 'read:issue-comment'], deprecatedOn: '2027-06-07' },
  { name: 'legacy', description: 'Never deprecated', replacedBy: ['read:issue'] },
]
const DAY = Date.parse('2027-06-07T00:00:00Z')
const BEFORE = DAY - 1
const AFTER = DAY

// listIssueComments: the classic requirement and the granular one, side by side.
const comments = compileRequirements([['issue'], ['read:issue', 'read:issue-comment']], catalogue)

test('granular requirements are checked first, classic ones carry their deprecation instant and what stands for them', () => {
  assert.deepEqual(comments, [
    { scopes: ['read:issue', 'read:issue-comment'], classic: false, deprecatedAt: undefined, granular: ['read:issue', 'read:issue-comment'] },
    { scopes: ['issue'], classic: true, deprecatedAt: DAY, granular: ['read:issue', 'read:issue-comment'] },
  ])
})

test('a token passes holding every scope of one requirement, and fails holding only some of each', () => {
  assert.equal(metRequirement(scopeSet(['read:issue', 'read:issue-comment']), comments, BEFORE, 'allow'), 0)
  assert.equal(metRequirement(scopeSet(['issue']), comments, BEFORE, 'refuse'), 1)
  assert.equal(metRequirement(scopeSet(['read:issue']), comments, BEFORE, 'allow'), -1)
  assert.equal(metRequirement(scopeSet([]), compileRequirements([[]], catalogue), BEFORE, 'refuse'), 0)
})

test('past its day a classic requirement still admits under allow and warn (warn says so), and no longer counts under refuse', () => {
  const classic = scopeSet(['issue'])
  assert.equal(metRequirement(classic, comments, AFTER, 'allow'), 1)
  assert.equal(warns(comments[1], AFTER, 'allow'), false)
  assert.equal(metRequirement(classic, comments, AFTER, 'warn'), 1)
  assert.equal(warns(comments[1], AFTER, 'warn'), true)
  assert.equal(warns(comments[1], BEFORE, 'warn'), false)
  assert.equal(metRequirement(classic, comments, AFTER, 'refuse'), -1)
  const neverDeprecated = compileRequirements([['legacy']], catalogue)
  assert.equal(metRequirement(scopeSet(['legacy']), neverDeprecated, AFTER, 'refuse'), 0)
})

test('a refused token is told the granular requirement it is closest to: fewest missing, then most held, then fewest scopes', () => {
  const partial = closestRequirement(scopeSet(['read:issue']), comments, BEFORE, 'allow')
  assert.deepEqual(partial?.requirement.scopes, ['read:issue', 'read:issue-comment'])
  assert.deepEqual(partial?.missing, ['read:issue-comment'])
  // Nothing held: the classic requirement is smaller, but a vendor is never steered to a deprecated scope.
  assert.deepEqual(closestRequirement(scopeSet([]), comments, BEFORE, 'allow')?.requirement.scopes, ['read:issue', 'read:issue-comment'])
  const granularAlternatives = compileRequirements([['read:issue', 'read:issue-comment'], ['write:issue']], catalogue)
  assert.deepEqual(closestRequirement(scopeSet(['read:issue']), granularAlternatives, BEFORE, 'allow')?.requirement.scopes, ['read:issue', 'read:issue-comment'])
  assert.deepEqual(closestRequirement(scopeSet([]), granularAlternatives, BEFORE, 'allow')?.requirement.scopes, ['write:issue'])
  // Under refuse past the day, the classic requirement is no longer offered.
  assert.deepEqual(closestRequirement(scopeSet(['issue']), comments, AFTER, 'refuse')?.missing, ['read:issue', 'read:issue-comment'])
  const tie = compileRequirements([['issue'], ['write:issue']], catalogue)
  assert.deepEqual(closestRequirement(scopeSet([]), tie, BEFORE, 'allow')?.requirement.scopes, ['write:issue'])
  // Only classic requirements, all refused: the granular scopes that stand for the first.
  const onlyClassic = compileRequirements([['issue']], catalogue)
  assert.deepEqual(closestRequirement(scopeSet(['issue']), onlyClassic, AFTER, 'refuse'), {
    requirement: { scopes: ['read:issue', 'read:issue-comment'], classic: false, deprecatedAt: undefined, granular: ['read:issue', 'read:issue-comment'] },
    missing: ['read:issue', 'read:issue-comment'],
  })
})
