/**
 * Whether an `Accept` header (RFC 9110 §12.5.1) prefers an HTML page to JSON: a browser's navigation
 * (`text/html,…,*\/*;q=0.8`) does; curl (`*\/*`), fetch() and API clients, which accept both alike or
 * name JSON, do not. Each type takes the quality of the most specific range that matches it.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false
  const ranges = parse(accept)
  const html = quality(ranges, 'text', 'html')
  return html > 0 && html > quality(ranges, 'application', 'json')
}

interface MediaRange {
  type: string
  subtype: string
  q: number
}

function parse(accept: string): MediaRange[] {
  const ranges: MediaRange[] = []
  for (const part of accept.split(',')) {
    const [mediaType, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase())
    const [type, subtype] = mediaType.split('/')
    if (!type || !subtype) continue
    const qParameter = parameters.find((p) => p.startsWith('q='))
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2))
    ranges.push({ type, subtype, q: Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0 })
  }
  return ranges
}

function quality(ranges: MediaRange[], type: string, subtype: string): number {
  let best: { specificity: number; q: number } | undefined
  for (const range of ranges) {
    const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1
    if (specificity >= 0 && (!best || specificity > best.specificity)) best = { specificity, q: range.q }
  }
  return best?.q ?? 0
}
