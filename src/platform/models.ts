import type { IssueState } from './platform.schemas.js'

/** The sample API's objects as services hand them out: camelCase, instants in epoch ms. */
export type WorkspaceRole = 'owner' | 'member'

export interface PlatformUser {
  id: string
  username: string
  displayName: string
  createdAt: number
}

export interface Workspace {
  id: string
  slug: string
  name: string
  createdAt: number
}

export interface Membership {
  workspace: Workspace
  user: PlatformUser
  role: WorkspaceRole
}

export interface Repository {
  id: string
  workspace: Workspace
  slug: string
  name: string
  description: string
  isPrivate: boolean
  createdAt: number
  updatedAt: number
}

export interface Issue {
  id: string
  number: number
  repository: Repository
  title: string
  content: string
  state: IssueState
  reporter: PlatformUser
  createdAt: number
  updatedAt: number
}

export interface IssueComment {
  id: string
  issueNumber: number
  author: PlatformUser
  content: string
  createdAt: number
}

export function toWorkspace(row: { id: string; slug: string; name: string; created_at: number }): Workspace {
  return { id: row.id, slug: row.slug, name: row.name, createdAt: row.created_at }
}

export function toPlatformUser(row: { id: string; username: string; display_name: string; created_at: number }): PlatformUser {
  return { id: row.id, username: row.username, displayName: row.display_name, createdAt: row.created_at }
}

/** A joined row's author columns (`author_*`). */
export function toAuthor(row: { author_id: string; author_username: string; author_display_name: string; author_created_at: number }): PlatformUser {
  return { id: row.author_id, username: row.author_username, displayName: row.author_display_name, createdAt: row.author_created_at }
}
