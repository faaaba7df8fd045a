import { timingSafeEqual } from 'node:crypto'
import type { Clock } from '../domain/clock.js'
import type { Db } from '../store/database.js'
import type { SealedTable } from '../store/sealed-tables.js'
import { open, seal, type Keyring, type SealedSecret } from '../store/secret-box.js'
import type { InstallationRow } from '../store/schema.js'

/** How long the secret a rotation replaced keeps working, so the vendor can store the new one first. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60_000

/** The authenticated data of an installation's sealed secret: its row, and which of its two secrets. */
function context(installationId: string, which: 'current' | 'previous'): string {
  return which === 'current' ? `installations:${installationId}` : `installations:${installationId}:previous`
}

export function sealSharedSecret(keyring: Keyring, installationId: string, secret: string): SealedSecret {
  return seal(keyring, secret, context(installationId, 'current'))
}

/** The secret sealed as "previous" during a rotation's grace period. */
export function sealPreviousSecret(keyring: Keyring, installationId: string, secret: string): SealedSecret {
  return seal(keyring, secret, context(installationId, 'previous'))
}

type SecretColumns = Pick<InstallationRow, 'id' | 'shared_secret_sealed' | 'kek_id' | 'previous_secret_sealed' | 'previous_kek_id' | 'previous_secret_expires_at'>

/** The secrets an app JWT of this installation may be signed with now: the current one, then the previous one during its grace. */
export function usableSharedSecrets(keyring: Keyring, row: SecretColumns, clock: Clock): string[] {
  const secrets: string[] = []
  if (row.shared_secret_sealed !== null && row.kek_id !== null) {
    secrets.push(open(keyring, { kekId: row.kek_id, sealed: row.shared_secret_sealed }, context(row.id, 'current')))
  }
  if (row.previous_secret_sealed !== null && row.previous_kek_id !== null && (row.previous_secret_expires_at ?? 0) > clock.now()) {
    secrets.push(open(keyring, { kekId: row.previous_kek_id, sealed: row.previous_secret_sealed }, context(row.id, 'previous')))
  }
  return secrets
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Installation secrets (current and previous) for `gatehouse keys rewrap`; ids are `<installation id>` or `<installation id>:previous`. */
export const installationSecretRecords: SealedTable = {
  describe: (id) => `the shared secret of installation ${id}`,
  context: (id) => (id.endsWith(':previous') ? context(id.slice(0, -':previous'.length), 'previous') : context(id, 'current')),
  listSealed: async (db) => {
    const rows = await db
      .selectFrom('installations')
      .select(['id', 'shared_secret_sealed', 'kek_id', 'previous_secret_sealed', 'previous_kek_id'])
      .where((eb) => eb.or([eb('shared_secret_sealed', 'is not', null), eb('previous_secret_sealed', 'is not', null)]))
      .execute()
    return rows.flatMap((row) => [
      ...(row.shared_secret_sealed !== null && row.kek_id !== null ? [{ id: row.id, kekId: row.kek_id, sealed: row.shared_secret_sealed }] : []),
      ...(row.previous_secret_sealed !== null && row.previous_kek_id !== null ? [{ id: `${row.id}:previous`, kekId: row.previous_kek_id, sealed: row.previous_secret_sealed }] : []),
    ])
  },
  replaceSealed: async (db: Db, id, fromKekId, sealed) => {
    const previous = id.endsWith(':previous')
    const installationId = previous ? id.slice(0, -':previous'.length) : id
    const result = previous
      ? await db.updateTable('installations').set({ previous_secret_sealed: sealed.sealed, previous_kek_id: sealed.kekId }).where('id', '=', installationId).where('previous_kek_id', '=', fromKekId).executeTakeFirst()
      : await db.updateTable('installations').set({ shared_secret_sealed: sealed.sealed, kek_id: sealed.kekId }).where('id', '=', installationId).where('kek_id', '=', fromKekId).executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  },
}
