import assert from 'node:assert/strict'
import { test } from 'node:test'
import { prefersHtml } from '../../src/web/content-negotiation.js'

test('a browser navigation prefers HTML; curl, fetch() and API clients do not', () => {
  const cases: [string | undefined, boolean][] = [
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', true], // Chromium
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true], // Firefox
    ['text/html', true],
    ['text/*', true],
    [undefined, false],
    ['', false],
    ['*/*', false], // curl, fetch(): both alike, so the API's own JSON
    ['application/json', false],
    ['application/json, text/plain, */*', false], // axios
    ['text/html, application/json', false],
    ['application/json;q=0.5, text/html', true],
    ['text/html;q=0, */*', false],
    ['TEXT/HTML', true],
    ['text/html;q=nonsense', false],
    ['garbage', false],
  ]
  for (const [accept, expected] of cases) assert.equal(prefersHtml(accept), expected, String(accept))
})
