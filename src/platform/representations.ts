import type { Issue, IssueComment, Membership, PlatformUser, Repository, Workspace } from './models.js'
import { hasNextPage, type Page } from './pagination.js'

/** The API's JSON for each object, in the shapes the OpenAPI document declares (Bitbucket 2.0, simplified). */

export function userJson(user: PlatformUser) {
  return { type: 'user', uuid: user.id, username: user.username, display_name: user.displayName, created_on: iso(user.createdAt) }
}

export function workspaceJson(workspace: Workspace) {
  return { type: 'workspace', uuid: workspace.id, slug: workspace.slug, name: workspace.name, created_on: iso(workspace.createdAt) }
}

export function membershipJson(membership: Membership) {
  return { type: 'workspace_membership', role: membership.role, user: userJson(membership.user), workspace: workspaceJson(membership.workspace) }
}

export function repositoryJson(repository: Repository) {
  return {
    type: 'repository',
    uuid: repository.id,
    slug: repository.slug,
    full_name: fullName(repository),
    name: repository.name,
    description: repository.description,
    is_private: repository.isPrivate,
    workspace: workspaceJson(repository.workspace),
    created_on: iso(repository.createdAt),
    updated_on: iso(repository.updatedAt),
  }
}

export function issueJson(issue: Issue) {
  return {
    type: 'issue',
    id: issue.number,
    title: issue.title,
    content: { raw: issue.content },
    state: issue.state,
    reporter: userJson(issue.reporter),
    repository: { type: 'repository', uuid: issue.repository.id, full_name: fullName(issue.repository), name: issue.repository.name },
    created_on: iso(issue.createdAt),
    updated_on: iso(issue.updatedAt),
  }
}

export function commentJson(comment: IssueComment) {
  return {
    type: 'issue_comment',
    id: comment.id,
    content: { raw: comment.content },
    user: userJson(comment.author),
    issue: { type: 'issue', id: comment.issueNumber },
    created_on: iso(comment.createdAt),
  }
}

/** `{ values, page, pagelen, size, next? }`; `next` repeats `listUrl` with the following page. */
export function pageJson<T, R>(page: Page<T>, render: (value: T) => R, listUrl: string) {
  return {
    values: page.values.map(render),
    page: page.page,
    pagelen: page.pagelen,
    size: page.size,
    ...(hasNextPage(page) ? { next: `${listUrl}?page=${page.page + 1}&pagelen=${page.pagelen}` } : {}),
  }
}

function fullName(repository: Repository): string {
  return `${repository.workspace.slug}/${repository.slug}`
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString()
}
