import type { FastifyReply, FastifyRequest } from 'fastify'
import { csrfField, csrfToken } from './csrf.js'
import { html, type SafeHtml } from './html.js'
import { currentUser } from './session.js'

/** The signed-in account shown in the header, with what its sign-out form needs. */
export interface HeaderAccount {
  username: string
  csrfToken: string
}

export interface LayoutOptions {
  /** The settings area and other pages with tables: the whole width, not a centred card. */
  wide?: boolean
}

export function layout(title: string, body: SafeHtml, account?: HeaderAccount, options: LayoutOptions = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Gatehouse</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/gatehouse.css">
<script src="/assets/gatehouse.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site">
<a href="/" class="brand"><span class="brand-mark" aria-hidden="true"></span>Gatehouse</a>
${account ? accountMenu(account) : ''}
</header>
<main id="main"${options.wide ? html` class="wide"` : ''}>
${body}
</main>
</body>
</html>`.value
}

/** Where a person reviews the apps they allowed or denied (consent/app-authorizations.routes.ts); every page links to it, as the issue asks. */
const APP_AUTHORIZATIONS_PATH = '/account/app-authorizations'

function accountMenu(account: HeaderAccount): SafeHtml {
  return html`<form class="account" method="post" action="/logout">
<a class="account-link" href="${APP_AUTHORIZATIONS_PATH}">App authorizations</a>
<a class="account-name" href="/settings" title="Settings">${account.username}</a>
${csrfField(account.csrfToken)}
<button type="submit" class="link">Sign out</button>
</form>`
}

/** The header's account for this request, if someone is signed in: every page shows who that is. */
export async function headerAccount(request: FastifyRequest): Promise<HeaderAccount | undefined> {
  const user = await currentUser(request)
  return user ? { username: user.username, csrfToken: csrfToken(request) } : undefined
}

export function errorPage(title: string, message: string, account?: HeaderAccount): string {
  return layout(title, html`<section class="card" role="alert" aria-labelledby="error-title"><h1 id="error-title">${title}</h1><p>${message}</p><p class="muted"><a href="/">Go to the Gatehouse home page</a></p></section>`, account)
}

/** Sends a page that carries session or CSRF data: never stored by the browser or a proxy. */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page)
}
