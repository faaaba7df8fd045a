import { html, type SafeHtml } from '../html.js'

export interface FieldInput {
  /** The input's id and name. */
  name: string
  label: string
  type: 'text' | 'password'
  /** Never set for passwords: a typed password is not sent back in the page. */
  value?: string
  hint?: string
  error?: string
  /** More attributes, our own markup: autocomplete, required, minlength. */
  attributes?: SafeHtml
}

/** A labelled input with its hint and its error, both tied to it for screen readers. */
export function field(input: FieldInput): SafeHtml {
  const described = [input.hint ? `${input.name}-hint` : '', input.error ? `${input.name}-error` : ''].filter(Boolean).join(' ')
  return html`<div class="field">
<label for="${input.name}">${input.label}</label>
<input id="${input.name}" name="${input.name}" type="${input.type}"${input.value !== undefined ? html` value="${input.value}"` : ''}${input.attributes ?? ''}${described ? html` aria-describedby="${described}"` : ''}${input.error ? html` aria-invalid="true"` : ''}>
${input.hint ? html`<p class="hint" id="${input.name}-hint">${input.hint}</p>` : ''}
${input.error ? html`<p class="field-error" id="${input.name}-error">${input.error}</p>` : ''}
</div>`
}

/** An instant in a `<time>` element: machine-readable in `datetime`, as people read it inside. */
export function timeElement(at: number, text: string, title?: string): SafeHtml {
  return html`<time datetime="${new Date(at).toISOString()}"${title ? html` title="${title}"` : ''}>${text}</time>`
}
