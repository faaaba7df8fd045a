import { API_BASE_PATH } from '../gateway/api-description.js'
import type { UrlPart } from './static-values.js'

/**
 * Which URLs are platform calls, and their path after the API's base path, segment by segment.
 * A value built at run time is taken as one segment when it fills one (`/repositories/${ws}`); where it
 * could stand for any number of segments (`/2.0/${path}`), the path is unreadable, never guessed.
 */

/** A literal segment, or one with a value known only at run time (shown as written, `${ws}`). */
export type Segment = { literal: string } | { runtime: string }

export type PlatformPath =
  | { kind: 'outside' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'path'; segments: Segment[] }

/** Stands for a run-time value inside the flattened URL; no URL written in source contains it. */
const RUNTIME = '\u0000'
const BASE = new RegExp(`${API_BASE_PATH.replace(/[.]/g, '\\.')}(?=[/?#${RUNTIME}]|$)`)

export function platformPath(parts: readonly UrlPart[]): PlatformPath {
  const expressions = parts.flatMap((part) => ('text' in part ? [] : [part.expression]))
  const flat = parts.map((part) => ('text' in part ? part.text : RUNTIME)).join('')
  const base = BASE.exec(flat)
  if (base === null) return { kind: 'outside' }
  const before = flat.slice(0, base.index).split(RUNTIME).length - 1
  const afterBase = flat.slice(base.index + API_BASE_PATH.length)
  const path = afterBase.replace(/[?#].*$/s, '')
  const shown = show(flat.slice(base.index, base.index + API_BASE_PATH.length + path.length), expressions.slice(before))
  if (path.startsWith(RUNTIME)) return { kind: 'unreadable', reason: `${shown} is built at run time` }
  const pieces = path.split('/').slice(1)
  if (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop()
  if (pieces[0]?.startsWith(RUNTIME)) return { kind: 'unreadable', reason: `${shown} is built at run time` }
  let next = before
  const segments = pieces.map((piece): Segment => {
    if (!piece.includes(RUNTIME)) return { literal: piece }
    const count = piece.split(RUNTIME).length - 1
    const segment = { runtime: show(piece, expressions.slice(next, next + count)) }
    next += count
    return segment
  })
  return { kind: 'path', segments }
}

/** `/2.0/repositories/${ws}`: the path as the vendor wrote it. */
export function showSegments(segments: readonly Segment[]): string {
  return API_BASE_PATH + segments.map((segment) => `/${'literal' in segment ? segment.literal : segment.runtime}`).join('')
}

/** A URL's parts as written, `${…}` for run-time values. */
export function showUrl(parts: readonly UrlPart[]): string {
  return parts.map((part) => ('text' in part ? part.text : `\${${part.expression}}`)).join('')
}

function show(flat: string, expressions: readonly string[]): string {
  let index = 0
  return flat.replace(new RegExp(RUNTIME, 'g'), () => `\${${expressions[index++] ?? '…'}}`)
}
