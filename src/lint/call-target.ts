import type { ApiOperation } from '../gateway/api-description.js'
import type { ApiCall } from './call-scanner.js'
import { matchOperation } from './path-matcher.js'
import { platformPath, showSegments } from './platform-path.js'

/** Where a call goes: not the platform, an operation of its API, a path the API lacks, or somewhere lint cannot tell. */
export type CallTarget =
  | { kind: 'outside' }
  | { kind: 'unresolved'; message: string }
  | { kind: 'unknown'; method: string; path: string }
  | { kind: 'operation'; method: string; operation: ApiOperation }

export function callTarget(call: ApiCall, operations: readonly ApiOperation[]): CallTarget {
  const unreadablePath = (reason: string): CallTarget => ({ kind: 'unresolved', message: `the path of this ${call.callee} call could not be read: ${reason}` })
  if (!call.url.ok) return unreadablePath(call.url.reason)
  const path = platformPath(call.url.value)
  if (path.kind === 'outside') return path
  if (path.kind === 'unreadable') return unreadablePath(path.reason)
  const shown = showSegments(path.segments)
  if (!call.method.ok) return { kind: 'unresolved', message: `the method of this ${call.callee} call to ${shown} could not be read: ${call.method.reason}` }
  const method = call.method.value
  const operation = matchOperation(method, path.segments, operations)
  if (operation) return { kind: 'operation', method, operation }
  // A run-time value was taken as one segment; matching nothing, it may well stand for several.
  if (path.segments.some((segment) => 'runtime' in segment)) {
    return unreadablePath(`${method} ${shown} matches no operation of the API, unless a value built at run time stands for several segments`)
  }
  return { kind: 'unknown', method, path: shown }
}
