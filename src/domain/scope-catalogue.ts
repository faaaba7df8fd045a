import { parse } from 'yaml'
import { parseScope, type ScopeDefinition } from './scopes.js'

/**
 * A scope catalogue file (YAML or JSON, which is YAML too):
 *
 *     granular:
 *       read:repository: Read the repositories you can see
 *     classic:
 *       repository:
 *         description: Read the repositories you can see
 *         replaced-by: [read:repository]
 *         deprecated: 2027-06-07
 *
 * Granular scopes first, then classic ones, each in file order. Every problem is named with its place,
 * so a platform's operator can fix the file from the message alone.
 */
export function parseScopeCatalogue(text: string): ScopeDefinition[] {
  let root: unknown
  try {
    root = parse(text, { uniqueKeys: true })
  } catch (error) {
    throw new CatalogueError(`it is not valid YAML: ${firstLine((error as Error).message)}`)
  }
  if (!isRecord(root)) throw new CatalogueError('it must be a mapping with "granular" and, optionally, "classic"')
  for (const key of Object.keys(root)) {
    if (key !== 'granular' && key !== 'classic') throw new CatalogueError(`unknown section "${key}" (expected "granular" and "classic")`)
  }
  const granular = root.granular ?? {}
  const classic = root.classic ?? {}
  if (!isRecord(granular)) throw new CatalogueError('"granular" must map each scope to its description')
  if (!isRecord(classic)) throw new CatalogueError('"classic" must map each scope to its description, replaced-by and deprecated')

  const definitions: ScopeDefinition[] = []
  for (const [name, description] of Object.entries(granular)) {
    checkName(name, 'granular')
    definitions.push({ name, description: checkDescription(description, `granular scope "${name}"`) })
  }
  if (definitions.length === 0) throw new CatalogueError('"granular" lists no scope')
  const granularNames = new Set(definitions.map((d) => d.name))
  for (const [name, entry] of Object.entries(classic)) {
    checkName(name, 'classic')
    const where = `classic scope "${name}"`
    if (granularNames.has(name)) throw new CatalogueError(`"${name}" is both granular and classic`)
    if (!isRecord(entry)) throw new CatalogueError(`${where} must have description, replaced-by and (optionally) deprecated`)
    for (const key of Object.keys(entry)) {
      if (!['description', 'replaced-by', 'deprecated'].includes(key)) throw new CatalogueError(`${where}: unknown field "${key}"`)
    }
    const replacedBy = entry['replaced-by']
    if (!Array.isArray(replacedBy) || replacedBy.length === 0) throw new CatalogueError(`${where}: "replaced-by" must list the granular scopes it stands for`)
    for (const replacement of replacedBy) {
      if (typeof replacement !== 'string' || !granularNames.has(replacement)) {
        throw new CatalogueError(`${where}: "replaced-by" names "${String(replacement)}", which is not a granular scope of this catalogue`)
      }
    }
    const deprecated = entry.deprecated
    if (deprecated !== undefined && (typeof deprecated !== 'string' || !isCalendarDate(deprecated))) {
      throw new CatalogueError(`${where}: "deprecated" must be a date written YYYY-MM-DD`)
    }
    definitions.push({
      name,
      description: checkDescription(entry.description, where),
      replacedBy: [...new Set(replacedBy as string[])],
      ...(deprecated === undefined ? {} : { deprecatedOn: deprecated }),
    })
  }
  return definitions
}

export class CatalogueError extends Error {}

function checkName(name: string, section: string): void {
  const parsed = parseScope(name)
  if (!parsed.ok || parsed.scopes.size !== 1) throw new CatalogueError(`${section}: "${name}" is not a scope name (printable ASCII, no spaces, quotes or backslashes)`)
}

function checkDescription(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new CatalogueError(`${where} needs a one-line description`)
  if (/[\r\n]/.test(value.trim())) throw new CatalogueError(`${where}: the description must be one line`)
  return value.trim()
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const time = Date.parse(`${text}T00:00:00Z`)
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(text)
}

function isRecord(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function firstLine(text: string): string {
  return text.split('\n')[0]
}
