import { html, type SafeHtml } from './html.js'

export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Gatehouse</title>
<link rel="stylesheet" href="/assets/gatehouse.css">
</head>
<body>
<header class="site"><a href="/" class="brand">Gatehouse</a></header>
<main>
${body}
</main>
</body>
</html>`.value
}

export function errorPage(title: string, message: string): string {
  return layout(title, html`<section class="card" role="alert"><h1>${title}</h1><p>${message}</p></section>`)
}
