// The resolver behind the panel: reads the repository and its open issues.
import axios from 'axios'
import { platform } from './platform.js'

const API = 'https://api.example-platform.test/2.0'

export async function handler({ workspace, repoSlug, token }) {
  const headers = { Authorization: `Bearer ${token}` }
  const me = await fetch(`${API}/user`, { headers }).then((r) => r.json())
  const repository = await platform.get(`/repositories/${workspace}/${repoSlug}`, { headers })
  const issues = await axios.get(`${API}/repositories/${workspace}/${repoSlug}/issues?state=open`, { headers })
  return { greeting: `Hello, ${me.display_name}`, repository: repository.data, issues: issues.data.values }
}

/** Follows the `next` links of a paged answer; where it goes is only known at run time. */
export async function allPages(first, headers) {
  const values = []
  for (let url = first; url; ) {
    const page = await fetch(url, { headers }).then((r) => r.json())
    values.push(...page.values)
    url = page.next
  }
  return values
}
