import { ConfigError } from '../errors.js'
import type { Db } from './database.js'
import { open, seal, SecretBoxError, type Keyring, type SealedSecret } from './secret-box.js'

/** A table whose rows hold a secret sealed with `secret-box.ts`, as `gatehouse keys rewrap` sees it. */
export interface SealedTable {
  /** Names one row in messages, e.g. "signing key <kid>". */
  describe(id: string): string
  /** The row's sealing context (its authenticated data), e.g. "signing_keys:<kid>". */
  context(id: string): string
  /** Every row that holds a sealed secret. */
  listSealed(db: Db): Promise<{ id: string; kekId: string; sealed: string }[]>
  /** Replaces one row's secret if it is still sealed under `fromKekId`; false if it changed meanwhile. */
  replaceSealed(db: Db, id: string, fromKekId: string, sealed: SealedSecret): Promise<boolean>
}

export interface TableRewrap {
  /** Rows moved to the current KEK. */
  rewrapped: string[]
  /** Rows already under it. */
  current: number
}

/**
 * Re-encrypts the sealed secrets of every table under the keyring's current KEK, reading older
 * records with the previous KEKs. Every record of every table is opened before any is written, so a
 * key missing from the keyring changes nothing and names what is missing. Results follow `tables`.
 */
export async function rewrapSealedTables(db: Db, keyring: Keyring, tables: readonly SealedTable[]): Promise<TableRewrap[]> {
  const plans: { table: SealedTable; moves: { id: string; from: string; sealed: SealedSecret }[]; current: number }[] = []
  for (const table of tables) {
    const rows = await table.listSealed(db)
    const moves = []
    for (const row of rows) {
      if (row.kekId === keyring.current.id) continue
      let plaintext: string
      try {
        plaintext = open(keyring, { kekId: row.kekId, sealed: row.sealed }, table.context(row.id))
      } catch (error) {
        const hint = error instanceof SecretBoxError && error.reason === 'unknown-kek' ? '; list that key in GATEHOUSE_KEK_PREVIOUS' : ''
        throw new ConfigError(`${table.describe(row.id)} ${(error as Error).message}${hint}; nothing was rewrapped`)
      }
      moves.push({ id: row.id, from: row.kekId, sealed: seal(keyring, plaintext, table.context(row.id)) })
    }
    plans.push({ table, moves, current: rows.length - moves.length })
  }
  return db.transaction().execute(async (trx) => {
    const results: TableRewrap[] = []
    for (const { table, moves, current } of plans) {
      const rewrapped: string[] = []
      for (const move of moves) if (await table.replaceSealed(trx, move.id, move.from, move.sealed)) rewrapped.push(move.id)
      results.push({ rewrapped, current })
    }
    return results
  })
}

/** Why a sealed record did not open at start-up, in one line that says what to change. */
export function describeUnsealFailure(what: string, error: unknown, keyring: Keyring, kekSource: string): string {
  if (error instanceof SecretBoxError && error.reason === 'unknown-kek') {
    return `${what} ${error.message}: ${kekSource} is key ${keyring.current.id}; start with the key it was sealed under, or list that key in GATEHOUSE_KEK_PREVIOUS`
  }
  if (error instanceof SecretBoxError) return `${what} ${error.message}`
  return `${what} cannot be read: ${(error as Error).message}`
}
