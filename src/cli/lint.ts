import { Command } from 'commander'
import { loadConfig } from '../config.js'
import { systemClock } from '../domain/clock.js'
import { loadApiDescription } from '../gateway/api-description.js'
import { sampleApi } from '../platform/openapi.js'

export function lintCommand(): Command {
  return new Command('lint')
    .description("Check an app's manifest scopes against the platform API calls in its JavaScript and TypeScript sources")
    .argument('[dir]', "the app's directory, holding manifest.yml", '.')
    .option('--fix', 'replace classic scopes by granular ones and add the scopes calls need, in manifest.yml')
    .option('--prune', 'also remove the scopes no call uses (implies --fix; refused while some calls cannot be read)')
    .option('--json', 'print the problems and changes as one JSON document')
    .action(async (dir: string, options: { fix?: boolean; prune?: boolean; json?: boolean }) => {
      const { scopes, operations } = await loadApiDescription(loadConfig(), sampleApi)
      // The parser (typescript) is loaded only by this command, so the others start as fast as before.
      const lint = await import('../lint/index.js')
      const outcome = await lint.lintDirectory(dir, {
        platform: { scopes, operations },
        now: systemClock.now(),
        fix: Boolean(options.fix || options.prune),
        prune: Boolean(options.prune),
      })
      process.stdout.write(options.json ? `${JSON.stringify(lint.jsonReport(outcome), null, 2)}\n` : `${lint.textReport(outcome).join('\n')}\n`)
      process.exitCode = lint.exitCode(outcome)
    })
}
