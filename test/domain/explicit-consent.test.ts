import assert from 'node:assert/strict'
import { test } from 'node:test'
import { explicitConsentInEffect } from '../../src/domain/explicit-consent.js'

test('explicit consent: mode on applies to everyone; mode labs only when the vendor and the user both opted in', () => {
  for (const vendorHasFlag of [false, true]) {
    for (const userHasFlag of [false, true]) {
      assert.equal(explicitConsentInEffect({ mode: 'on', vendorHasFlag, userHasFlag }), true)
      assert.equal(explicitConsentInEffect({ mode: 'labs', vendorHasFlag, userHasFlag }), vendorHasFlag && userHasFlag, `labs, vendor ${vendorHasFlag}, user ${userHasFlag}`)
    }
  }
})
