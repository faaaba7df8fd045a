import assert from 'node:assert/strict'
import { test } from 'node:test'
import { timeAgo, utcDate, utcDateTime } from '../../src/domain/time-description.js'

const NOW = Date.UTC(2026, 10, 23, 14, 5, 30)
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

test('timeAgo: whole units, rounded down, singular for one', () => {
  const cases: [number, string][] = [
    [0, 'less than a minute ago'],
    [59 * SECOND, 'less than a minute ago'],
    [MINUTE, '1 minute ago'],
    [3 * MINUTE + 59 * SECOND, '3 minutes ago'],
    [59 * MINUTE, '59 minutes ago'],
    [HOUR, '1 hour ago'],
    [23 * HOUR + 59 * MINUTE, '23 hours ago'],
    [DAY, '1 day ago'],
    [29 * DAY, '29 days ago'],
    [45 * DAY, '1 month ago'],
    [364 * DAY, '12 months ago'],
    [800 * DAY, '2 years ago'],
  ]
  for (const [elapsed, expected] of cases) assert.equal(timeAgo(NOW - elapsed, NOW), expected, `${elapsed} ms`)
})

test('timeAgo: an instant a little ahead (from another node\'s clock) reads "less than a minute ago", not a negative time', () => {
  assert.equal(timeAgo(NOW + 5 * SECOND, NOW), 'less than a minute ago')
})

test('utcDateTime and utcDate say UTC, with a zero-padded time', () => {
  assert.equal(utcDateTime(NOW), '23 Nov 2026, 14:05 UTC')
  assert.equal(utcDateTime(Date.UTC(2027, 0, 2, 3, 4)), '2 Jan 2027, 03:04 UTC')
  assert.equal(utcDate(NOW), '23 Nov 2026')
})
