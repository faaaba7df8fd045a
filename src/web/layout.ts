import type { FastifyReply } from 'fastify'
import { csrfField } from './csrf.js'
import { html, type SafeHtml } from './html.js'

/** The signed-in account shown in the header, with what its sign-out form needs. */
export interface HeaderAccount {
  username: string
  csrfToken: string
}

export function layout(title: string, body: SafeHtml, account?: HeaderAccount): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Gatehouse</title>
<link rel="stylesheet" href="/assets/gatehouse.css">
</head>
<body>
<header class="site">
<a href="/" class="brand"><span class="brand-mark" aria-hidden="true"></span>Gatehouse</a>
${account ? accountMenu(account) : ''}
</header>
<main id="main">
${body}
</main>
</body>
</html>`.value
}

function accountMenu(account: HeaderAccount): SafeHtml {
  return html`<form class="account" method="post" action="/logout">
<span class="account-name">${account.username}</span>
${csrfField(account.csrfToken)}
<button type="submit" class="link">Sign out</button>
</form>`
}

export function errorPage(title: string, message: string): string {
  return layout(title, html`<section class="card" role="alert" aria-labelledby="error-title"><h1 id="error-title">${title}</h1><p>${message}</p><p class="muted"><a href="/">Go to the Gatehouse home page</a></p></section>`)
}

/** Sends a page that carries session or CSRF data: never stored by the browser or a proxy. */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page)
}
