import { parseGracePeriod } from '../domain/consent.js'
import { BadRequestError } from '../errors.js'

/** Commands print either readable lines or, with --json, one JSON document on stdout. */
export interface Output {
  json: boolean
  /** Prints `data` as JSON, or `lines()` for people. */
  result(data: unknown, lines: () => string[]): void
}

export function output(json: boolean): Output {
  return {
    json,
    result(data, lines) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${lines().join('\n')}\n`)
    },
  }
}

export function table(rows: Record<string, unknown>[], columns: string[]): string[] {
  if (rows.length === 0) return ['(none)']
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)))
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd()
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))]
}

/** `--reconsent-grace 14d`: the grace period in ms; undefined when the option was not given; a readable error when it is not a period. */
export function reconsentGraceOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const ms = parseGracePeriod(text)
  if (ms === undefined) throw new BadRequestError(`--reconsent-grace takes days or hours, e.g. 14d or 36h (at most a year), got "${text}"`)
  return ms
}
