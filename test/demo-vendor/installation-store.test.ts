import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { InstallationStore } from '../../src/demo-vendor/installation-store.js'

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'gatehouse-demo-vendor-store-'))
}

test('the store survives a restart: a second open reads what the first wrote, form key included', async () => {
  const dir = folder()
  try {
    const first = await InstallationStore.open(dir)
    await first.update((data) => {
      data.installations.a = { clientKey: 'a' } as never
    })
    const second = await InstallationStore.open(dir)
    assert.equal(second.get('a')?.clientKey, 'a')
    assert.equal(second.formKey, first.formKey)
    assert.deepEqual(readdirSync(dir), ['installations.json'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('changes apply one after another, each seeing the one before; a failed change leaves the data as it was', async () => {
  const dir = folder()
  try {
    const store = await InstallationStore.open(dir)
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((data) => {
      data.installations[`k${i}`] = { clientKey: `k${i}`, updatedAt: Object.keys(data.installations).length } as never
    })))
    assert.deepEqual(store.list().map((i) => i.updatedAt).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i))
    await assert.rejects(store.update((data) => {
      data.installations.k0 = { clientKey: 'changed' } as never
      throw new Error('no')
    }))
    assert.equal(store.get('k0')?.clientKey, 'k0')
    assert.equal((await InstallationStore.open(dir)).list().length, 20)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a store file it cannot read stops start-up naming the file, rather than starting empty', async () => {
  const dir = folder()
  try {
    writeFileSync(join(dir, 'installations.json'), '{"version": 1, "install')
    await assert.rejects(InstallationStore.open(dir), (error: Error) => error.message.includes(join(dir, 'installations.json')) && /move it aside/.test(error.message))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the folder is made if missing, readable by its owner only', async () => {
  const parent = folder()
  try {
    const dir = join(parent, 'nested', 'demo-vendor')
    await InstallationStore.open(dir)
    const { statSync } = await import('node:fs')
    assert.equal(statSync(dir).mode & 0o077, 0)
  } finally {
    rmSync(parent, { recursive: true, force: true })
  }
})
