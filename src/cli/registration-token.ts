import { Command } from 'commander'
import { createRegistrationToken } from '../oauth/registration-tokens.js'
import { seconds, wholeNumber } from './apps.js'
import { withDatabase } from './context.js'
import { output } from './output.js'

export function registrationTokenCommand(): Command {
  return new Command('registration-token')
    .description('Create an initial access token for dynamic client registration (RFC 7591), shown once')
    .option('--expires-in <seconds>', 'lifetime in seconds', '86400')
    .option('--uses <count>', 'how many registrations it allows', '1')
    .option('--json', 'print the result as JSON')
    .action(async (options: { expiresIn: string; uses: string; json?: boolean }) => {
      const expiresInSeconds = seconds(options.expiresIn, '--expires-in')
      const uses = wholeNumber(options.uses, '--uses', 'uses')
      const { token, expiresAt } = await withDatabase(({ db, clock, secrets }) => createRegistrationToken(db, clock, { expiresInSeconds, uses }, secrets))
      const until = new Date(expiresAt).toISOString()
      output(Boolean(options.json)).result({ registration_token: token, expires_at: until, uses }, () => [
        `registration token  ${token}  (shown once)`,
        `valid until ${until} for ${uses} registration${uses === 1 ? '' : 's'}; send it as "Authorization: Bearer …" to /oauth/register`,
      ])
    })
}
