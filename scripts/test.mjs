#!/usr/bin/env node
// Node 20's test runner takes no glob, so the files are found here; everything after `--` is passed on.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return find(path)
    return name.endsWith('.test.ts') ? [path] : []
  })
}

const filters = process.argv.slice(2)
const files = find('test').filter((file) => filters.length === 0 || filters.some((f) => file.includes(f))).sort()
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`)
  process.exit(1)
}
// Most tests wait on sockets, databases and browsers, not the CPU: three files at a time keep two cores
// busy (Node's default is one fewer than the cores, so one at a time on CI's two). TEST_CONCURRENCY overrides.
const concurrency = process.env.TEST_CONCURRENCY ?? '3'
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
