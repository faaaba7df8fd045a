import type { Credential, OtherCredential } from '../domain/credentials.js'
import { InvalidTokenError } from '../errors.js'
import type { Authenticator, RequestFacts } from '../gateway/authenticator.js'
import type { InstallationIdentity } from '../gateway/identity.js'
import { AppJwtRefusal } from './app-jwt.js'
import type { AppJwtVerifier, VerifiedAppJwt } from './app-jwt.verifier.js'

/** `Authorization: JWT <token>`: the scheme installed apps call with (case-insensitive, as the parser reads every scheme). */
export function isAppJwtCredential(credential: Credential): credential is OtherCredential {
  return credential.kind === 'other' && credential.scheme === 'jwt' && credential.value !== ''
}

/**
 * An installed app calling the API as its installation. The identity is the installation's app
 * account, a member of the one workspace the app is installed in, within the app's scopes; the gate
 * checks revocations (uninstalling revokes the app account) and scopes as for any other identity.
 */
export class AppJwtAuthenticator implements Authenticator<OtherCredential> {
  readonly form = 'JWT <app JWT signed with the installation\'s shared secret>'

  constructor(private readonly verifier: AppJwtVerifier) {}

  recognise(credential: Credential): credential is OtherCredential {
    return isAppJwtCredential(credential)
  }

  async verify(credential: OtherCredential, request: RequestFacts): Promise<InstallationIdentity> {
    try {
      return installationIdentity(await this.verifier.verify(credential.value, request))
    } catch (error) {
      throw error instanceof AppJwtRefusal ? new InvalidTokenError(error.message) : error
    }
  }
}

export function installationIdentity({ installation: { installation, app }, issuedAt, tokenId }: VerifiedAppJwt): InstallationIdentity {
  if (installation.appUserId === null) {
    // The app account is deleted with its user row only; an installation without one has nothing to act as.
    throw new InvalidTokenError(`The installation of "${app.key}" has no app account to act as; reinstall the app`)
  }
  return {
    kind: 'installation',
    userId: installation.appUserId,
    clientId: app.key,
    scopes: app.scopes,
    grantId: undefined,
    tokenId,
    issuedAt,
    installationId: installation.id,
    clientKey: installation.clientKey,
    workspaceId: installation.workspaceId,
  }
}
