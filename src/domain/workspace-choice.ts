/**
 * Which of their workspaces a user lets an OAuth app reach: all of them (null: also the ones they
 * join later), or only some, by slug. Chosen on the consent page, held by the grant, carried by
 * its access tokens, enforced by the gate.
 */
export type WorkspaceLimit = readonly string[] | null

/** The consent form's answer: `all`, or `some` with the ticked slugs; `undefined` when no choice was offered. */
export interface WorkspaceAnswer {
  access: 'all' | 'some' | undefined
  ticked: readonly string[]
}

export type WorkspaceChoice = { ok: true; workspaces: string[] | null } | { ok: false; message: string }

/**
 * The answer checked against the workspaces the user belongs to (`memberOf`, in the order to keep):
 * only their own, and at least one when they chose "only these". The form came back from the
 * browser, so a slug may be anything.
 */
export function chooseWorkspaces(memberOf: readonly string[], answer: WorkspaceAnswer): WorkspaceChoice {
  if (answer.access !== 'some') return { ok: true, workspaces: null }
  const foreign = answer.ticked.find((slug) => !memberOf.includes(slug))
  if (foreign !== undefined) return { ok: false, message: `You are not a member of a workspace "${foreign}"; choose among yours.` }
  if (answer.ticked.length === 0) return { ok: false, message: 'Tick at least one workspace, or choose "All my workspaces".' }
  return { ok: true, workspaces: memberOf.filter((slug) => answer.ticked.includes(slug)) }
}

/** What the consent page selects first: only the workspace the app named when the user belongs to it; all otherwise. */
export function preselectedWorkspaces(memberOf: readonly string[], named: string | undefined): string[] | null {
  return named !== undefined && memberOf.includes(named) ? [named] : null
}

/** Whether a token limited to `allowed` (undefined: not limited) may act in the workspace `slug`. */
export function workspaceAllowed(allowed: readonly string[] | undefined, slug: string): boolean {
  return allowed === undefined || allowed.includes(slug)
}

/** Why a token limited to `allowed` is refused in the workspace `slug`, naming both. */
export function workspaceRefusal(allowed: readonly string[], slug: string): string {
  if (allowed.length === 0) return `This token was granted for no workspace, so not for "${slug}"`
  const granted = allowed.length === 1 ? `the workspace ${allowed[0]}` : `the workspaces ${allowed.join(', ')}`
  return `This token was granted for ${granted} only, not "${slug}"`
}
