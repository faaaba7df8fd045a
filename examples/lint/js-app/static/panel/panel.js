// Runs in the panel's iframe and calls the platform through the Connect bridge.
/* global AP */

export function loadComments(workspace, repoSlug, issueId) {
  return AP.request({
    url: `/2.0/repositories/${workspace}/${repoSlug}/issues/${issueId}/comments`,
    type: 'GET',
  })
}

export function reply(workspace, repoSlug, issueId, text) {
  return AP.request(`/2.0/repositories/${workspace}/${repoSlug}/issues/${issueId}/comments`, {
    type: 'POST',
    contentType: 'application/json',
    data: JSON.stringify({ content: { raw: text } }),
  })
}

export function open(resource) {
  // The resource path comes from the panel's configuration.
  return AP.request(`/2.0/${resource}`)
}
