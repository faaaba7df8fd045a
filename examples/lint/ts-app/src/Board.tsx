// The board's iframe: greets the user, and closes issues through the Connect bridge.
import { useEffect, useState } from 'react'

interface CloseButtonProps {
  workspace: string
  repoSlug: string
  issueId: number
}

export function Greeting() {
  const [name, setName] = useState<string>()
  useEffect(() => {
    fetch('/2.0/user')
      .then((response) => response.json() as Promise<{ display_name: string }>)
      .then((user) => setName(user.display_name))
  }, [])
  return <h1>{name ? `Hello, ${name}` : 'Hello'}</h1>
}

export function CloseButton({ workspace, repoSlug, issueId }: CloseButtonProps) {
  const close = () =>
    AP.request({
      url: `/2.0/repositories/${workspace}/${repoSlug}/issues/${issueId}`,
      type: 'PUT',
      contentType: 'application/json',
      data: JSON.stringify({ state: 'closed' }),
    })
  return <button onClick={close}>Close issue</button>
}
