import type { ApiOperation } from '../gateway/api-description.js'
import type { Segment } from './platform-path.js'

/**
 * The OpenAPI operation a call reaches: same method (HEAD is answered by GET), as many segments, each
 * literal equal or filling a `{param}`; a run-time segment fills only a `{param}`. When several templates
 * fit (`/issues/{id}` and `/issues/open`), the one with the most literal segments in common wins, as a
 * router would choose.
 */
export function matchOperation(method: string, segments: readonly Segment[], operations: readonly ApiOperation[]): ApiOperation | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method
  let best: { operation: ApiOperation; literals: number } | undefined
  for (const operation of operations) {
    if (operation.method !== wanted) continue
    const literals = literalMatches(templateSegments(operation.path), segments)
    if (literals !== undefined && (best === undefined || literals > best.literals)) best = { operation, literals }
  }
  return best?.operation
}

/** How many literal segments match, or undefined when the path does not fit the template. */
function literalMatches(template: readonly string[], segments: readonly Segment[]): number | undefined {
  if (template.length !== segments.length) return undefined
  let literals = 0
  for (let i = 0; i < template.length; i++) {
    const fit = segmentFit(template[i], segments[i])
    if (fit === 'none') return undefined
    if (fit === 'literal') literals++
  }
  return literals
}

function segmentFit(template: string, segment: Segment): 'literal' | 'parameter' | 'none' {
  if (!template.includes('{')) return 'literal' in segment && segment.literal === template ? 'literal' : 'none'
  if (/^\{[^}]*\}$/.test(template) || !('literal' in segment)) return 'parameter'
  // A template segment mixing text and parameters (`{name}.json`): the text must be there.
  const pattern = template.split(/\{[^}]*\}/).map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')
  return new RegExp(`^${pattern}$`).test(segment.literal) ? 'parameter' : 'none'
}

function templateSegments(path: string): string[] {
  return path.split('/').slice(1).filter((segment, i, all) => segment !== '' || i < all.length - 1)
}
