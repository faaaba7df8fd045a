import { html, type SafeHtml } from '../web/index.js'
import type { ReconsentProgress } from './decisions.service.js'

/**
 * The vendor's view of a re-consent grace period, per workspace: people who approved the new
 * permissions and people still on the old ones. Nothing outside a grace period. Shown on the OAuth
 * consumer's page and on the installed app's page (each page's section style).
 */
export function reconsentProgressSection(rows: ReconsentProgress, sectionClass: string): SafeHtml | '' {
  if (!rows.some((row) => row.pending > 0)) return ''
  return html`<section class="${sectionClass}" aria-labelledby="reconsent-progress-heading">
<h2 id="reconsent-progress-heading">Approvals of the new permissions</h2>
<p class="muted">People keep their earlier approval, with the old permissions, until the grace period ends; each is asked for the new ones at their next use. Your app reads the same at <code>GET /api/apps/{key}/reconsent</code>.</p>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="reconsent-progress-heading"><table>
<thead><tr><th scope="col">Workspace</th><th scope="col">Approved the new permissions</th><th scope="col">Still on the old ones</th></tr></thead>
<tbody>${rows.map((row) => html`<tr><td>${row.workspace}</td><td>${String(row.renewed)}</td><td>${String(row.pending)}</td></tr>`)}</tbody>
</table></div>
</section>`
}
