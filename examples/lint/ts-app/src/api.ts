// Calls the app's server makes on behalf of the board, through one axios instance.
import axios from 'axios'

export interface Member {
  user: { display_name: string }
  permission: 'owner' | 'collaborator' | 'member'
}

export interface Issue {
  id: number
  title: string
  state: 'open' | 'closed'
}

interface Page<T> {
  values: T[]
  next?: string
}

const http = axios.create({ baseURL: '/2.0', timeout: 10_000 })

export async function members(workspace: string): Promise<Member[]> {
  const { data } = await http.get<Page<Member>>(`/workspaces/${workspace}/members`)
  return data.values
}

export async function repositories(workspace: string): Promise<{ slug: string; name: string }[]> {
  const response = await fetch(`/2.0/repositories/${encodeURIComponent(workspace)}?pagelen=50`)
  return ((await response.json()) as Page<{ slug: string; name: string }>).values
}

export async function openIssues(workspace: string, repoSlug: string): Promise<Issue[]> {
  const { data } = await http.get<Page<Issue>>(`/repositories/${workspace}/${repoSlug}/issues`, { params: { state: 'open' } })
  return data.values
}

/** Shown on the board's footer when the platform offers it. */
export async function contactEmails(): Promise<string[]> {
  const { data } = await http.get<Page<{ email: string }>>('/user/emails')
  return data.values.map((entry) => entry.email)
}
