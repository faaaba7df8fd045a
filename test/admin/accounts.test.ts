import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deleteApp, deleteUser, disableApp, disableUser, enableApp, enableUser, setAdministrator } from '../../src/admin/accounts.service.js'
import { ConflictError, NotFoundError } from '../../src/errors.js'
import { createIssue, createRepository, createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addClient, addUser, asClient, issueCode, PASSWORD, redeem, refresh, REDIRECT_URI, type TestClient } from '../oauth/fixtures.js'
import { signIn } from '../web/fixtures.js'
import { adminDeps, apiStatus } from './fixtures.js'

const ALL_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'password']

/** Ada, an app she owns (all grants), and access tokens of every kind she or it can hold. */
async function holdingEverything(t: TestApp) {
  const adaId = await addUser(t.app)
  const client = await addClient(t.app, { ownerId: adaId, grantTypes: ALL_GRANTS })
  const tokens = await tokensOf(t, client, adaId)
  return { adaId, client, tokens }
}

async function tokensOf(t: TestApp, client: TestClient, userId: string) {
  const { code } = await issueCode(t.app, client.app, userId)
  const viaCode = (await redeem(t.app, client, code)).json() as { access_token: string; refresh_token: string }
  const viaPassword = (await asClient(t.app, client, '/oauth/token', { grant_type: 'password', username: 'ada', password: PASSWORD })).json() as { access_token: string; refresh_token: string }
  const viaClient = (await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })).json() as { access_token: string }
  return { viaCode, viaPassword, viaClient, access: [viaCode.access_token, viaPassword.access_token, viaClient.access_token] }
}

function passwordGrant(t: TestApp, client: TestClient) {
  return asClient(t.app, client, '/oauth/token', { grant_type: 'password', username: 'ada', password: PASSWORD })
}

test('disabling a user revokes every grant, refresh token, session and live access token, and no grant issues more', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const { adaId, client, tokens } = await holdingEverything(t)
    const pending = await issueCode(t.app, client.app, adaId)
    const jar = await signIn(t.app)
    for (const token of tokens.access) assert.equal(await apiStatus(t.app, token), 200)

    const change = await disableUser(adminDeps(t.app), 'ada')
    assert.equal(change.disabled, true)
    assert.equal(change.revokedGrants, 4, 'the code grant, the pending code\'s, the password grant and the app\'s client-credentials grant')

    for (const token of tokens.access) assert.equal(await apiStatus(t.app, token), 401, 'every access token, client credentials included')
    for (const refreshToken of [tokens.viaCode.refresh_token, tokens.viaPassword.refresh_token]) {
      assert.equal((await refresh(t.app, client, refreshToken)).json().error, 'invalid_grant')
    }
    assert.equal((await redeem(t.app, client, pending.code)).json().error, 'invalid_grant')
    assert.equal((await passwordGrant(t, client)).json().error, 'invalid_grant')
    // The app's authentication was cached a moment ago; the change reached the cache at once.
    const clientCredentials = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(clientCredentials.json().error, 'unauthorized_client')
    assert.match(clientCredentials.json().error_description, /disabled/)

    const home = await t.app.inject({ method: 'GET', url: '/', cookies: jar })
    assert.doesNotMatch(home.body, /Signed in as/, 'the session ended')
    await assert.rejects(signIn(t.app), /sign-in failed: 401/)
    assert.equal((await t.app.db.selectFrom('sessions').select('id').where('user_id', '=', adaId).execute()).length, 0)
    const liveRefresh = await t.app.db.selectFrom('refresh_tokens').select('id').where('user_id', '=', adaId).where('revoked_at', 'is', null).execute()
    assert.equal(liveRefresh.length, 0)
  } finally {
    await t.close()
  }
})

test('re-enabling a user brings none of the old tokens back; new ones work at once', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const { client, tokens } = await holdingEverything(t)
    await disableUser(adminDeps(t.app), 'ada')
    await enableUser(adminDeps(t.app), 'ada')
    for (const token of tokens.access) assert.equal(await apiStatus(t.app, token), 401)
    assert.equal((await refresh(t.app, client, tokens.viaCode.refresh_token)).json().error, 'invalid_grant')

    const fresh = await passwordGrant(t, client)
    assert.equal(fresh.statusCode, 200)
    assert.equal(await apiStatus(t.app, fresh.json().access_token), 200)
    const clientCredentials = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(clientCredentials.statusCode, 200, clientCredentials.body)
    assert.equal(await apiStatus(t.app, clientCredentials.json().access_token), 200)
    await signIn(t.app)
  } finally {
    await t.close()
  }
})

test('disabling an app revokes its grants and tokens and stops its authentication at once; re-enabling brings none back', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const { client, tokens } = await holdingEverything(t)
    const change = await disableApp(adminDeps(t.app), client.app.clientId)
    assert.equal(change.revokedGrants, 3)
    for (const token of tokens.access) assert.equal(await apiStatus(t.app, token), 401)
    const refused = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(refused.statusCode, 401, 'the cached authentication was dropped')
    assert.equal(refused.json().error, 'invalid_client')
    const authorize = await t.app.inject({ method: 'GET', url: `/oauth/authorize?response_type=code&client_id=${client.app.clientId}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}` })
    assert.equal(authorize.statusCode, 400)
    assert.match(authorize.body, /disabled/)

    await enableApp(adminDeps(t.app), client.app.clientId)
    for (const token of tokens.access) assert.equal(await apiStatus(t.app, token), 401)
    assert.equal((await refresh(t.app, client, tokens.viaCode.refresh_token)).json().error, 'invalid_grant')
    const fresh = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(fresh.statusCode, 200)
    assert.equal(await apiStatus(t.app, fresh.json().access_token), 200)
  } finally {
    await t.close()
  }
})

test('deleting an app removes it with its secrets and grants, and revokes its tokens', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const { client, tokens } = await holdingEverything(t)
    const change = await deleteApp(adminDeps(t.app), client.app.clientId)
    assert.equal(change.deleted, true)
    for (const token of tokens.access) assert.equal(await apiStatus(t.app, token), 401)
    assert.equal((await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })).statusCode, 401)
    for (const table of ['grants', 'app_secrets', 'refresh_tokens'] as const) {
      assert.equal((await t.app.db.selectFrom(table).select('id').where('app_id', '=', client.app.id).execute()).length, 0, table)
    }
    await assert.rejects(deleteApp(adminDeps(t.app), client.app.clientId), NotFoundError)
  } finally {
    await t.close()
  }
})

test('deleting a user: workspaces only they belonged to go too, owned apps lose their owner, tokens are revoked', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const { adaId, client, tokens } = await holdingEverything(t)
    const grace = await createUser(t.app.db, t.app.clock, { username: 'grace', password: PASSWORD })
    const solo = await createWorkspace(t.app.db, t.app.clock, { slug: 'ada-solo', members: [{ userId: adaId, role: 'owner' }] })
    const repository = await createRepository(t.app.db, t.app.clock, { workspaceId: solo.id, slug: 'notes' })
    await createIssue(t.app.db, t.app.clock, { repositoryId: repository.id, reporterId: adaId, title: 'mine' })
    await createWorkspace(t.app.db, t.app.clock, { slug: 'shared', members: [{ userId: grace.id, role: 'owner' }, { userId: adaId, role: 'member' }] })

    const change = await deleteUser(adminDeps(t.app), 'ada')
    assert.deepEqual(change.deletedWorkspaces, ['ada-solo'])
    assert.deepEqual(change.appsWithoutOwner, [client.app.clientId])
    for (const token of tokens.access) assert.equal(await apiStatus(t.app, token), 401)
    const ownerless = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.match(ownerless.json().error_description, /no owner/)
    assert.equal(await t.app.db.selectFrom('users').select('id').where('id', '=', adaId).executeTakeFirst(), undefined)
    assert.equal(await t.app.db.selectFrom('workspaces').select('id').where('slug', '=', 'ada-solo').executeTakeFirst(), undefined)
    const shared = await t.app.db.selectFrom('workspace_members').select('user_id').execute()
    assert.deepEqual(shared.map((m) => m.user_id), [grace.id])
    await assert.rejects(deleteUser(adminDeps(t.app), 'ada'), NotFoundError)
  } finally {
    await t.close()
  }
})

test('a user is not deleted when others would be left stranded: the answer is a conflict saying why, and nothing changes', async () => {
  const t = await startTestApp()
  try {
    const adaId = await addUser(t.app)
    const grace = await createUser(t.app.db, t.app.clock, { username: 'grace', password: PASSWORD })
    const owned = await createWorkspace(t.app.db, t.app.clock, { slug: 'acme', members: [{ userId: adaId, role: 'owner' }, { userId: grace.id, role: 'member' }] })
    await assert.rejects(deleteUser(adminDeps(t.app), 'ada'), (error: unknown) => error instanceof ConflictError && /only owner of acme/.test(error.message))

    const other = await createWorkspace(t.app.db, t.app.clock, { slug: 'other', members: [{ userId: grace.id, role: 'owner' }, { userId: adaId, role: 'member' }] })
    const repository = await createRepository(t.app.db, t.app.clock, { workspaceId: other.id, slug: 'code' })
    await createIssue(t.app.db, t.app.clock, { repositoryId: repository.id, reporterId: grace.id, title: 'by grace' })
    // Grace owns "other" with Ada in it, so she can go only once she wrote nothing there that would lose its author.
    await assert.rejects(deleteUser(adminDeps(t.app), 'grace'), /only owner of other|wrote/)
    assert.ok(await t.app.db.selectFrom('users').select('id').where('id', '=', grace.id).executeTakeFirst())
    assert.ok(await t.app.db.selectFrom('workspaces').select('id').where('id', '=', owned.id).executeTakeFirst())
  } finally {
    await t.close()
  }
})

test('an author of issues in a workspace others use is not deleted', async () => {
  const t = await startTestApp()
  try {
    const adaId = await addUser(t.app)
    const grace = await createUser(t.app.db, t.app.clock, { username: 'grace', password: PASSWORD })
    const shared = await createWorkspace(t.app.db, t.app.clock, { slug: 'shared', members: [{ userId: grace.id, role: 'owner' }, { userId: adaId, role: 'member' }] })
    const repository = await createRepository(t.app.db, t.app.clock, { workspaceId: shared.id, slug: 'code' })
    await createIssue(t.app.db, t.app.clock, { repositoryId: repository.id, reporterId: adaId, title: 'by ada' })
    await assert.rejects(deleteUser(adminDeps(t.app), 'ada'), (error: unknown) => error instanceof ConflictError && /wrote 1 issue/.test(error.message))
  } finally {
    await t.close()
  }
})

test('the last administrator cannot be disabled, deleted or demoted', async () => {
  const t = await startTestApp()
  try {
    await createUser(t.app.db, t.app.clock, { username: 'root', password: PASSWORD, isAdmin: true })
    const deps = adminDeps(t.app)
    for (const attempt of [() => disableUser(deps, 'root'), () => deleteUser(deps, 'root'), () => setAdministrator(deps, 'root', false)]) {
      await assert.rejects(attempt(), (error: unknown) => error instanceof ConflictError && /last administrator/.test(error.message))
    }
    await createUser(t.app.db, t.app.clock, { username: 'second', password: PASSWORD })
    await setAdministrator(deps, 'second', true)
    await disableUser(deps, 'root')
    // Now "second" is the only administrator who can act.
    await assert.rejects(setAdministrator(deps, 'second', false), /last administrator/)
    await enableUser(deps, 'root')
    await setAdministrator(deps, 'second', false)
  } finally {
    await t.close()
  }
})

test('disabling and enabling are idempotent, and unknown names are 404s', async () => {
  const t = await startTestApp()
  try {
    await addUser(t.app)
    const deps = adminDeps(t.app)
    await disableUser(deps, 'ada')
    assert.equal((await disableUser(deps, 'ada')).revokedGrants, 0)
    await enableUser(deps, 'ada')
    assert.equal((await enableUser(deps, 'ada')).disabled, false)
    await assert.rejects(disableUser(deps, 'nobody'), NotFoundError)
    await assert.rejects(disableApp(deps, 'no-such-client'), NotFoundError)
  } finally {
    await t.close()
  }
})
