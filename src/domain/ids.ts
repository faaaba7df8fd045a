import { randomUUID } from 'node:crypto'

/** Row ids are made here, not by the database, so both dialects behave alike. */
export function newId(): string {
  return randomUUID()
}
