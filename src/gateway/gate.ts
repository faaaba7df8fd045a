import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Counter } from 'prom-client'
import type { Clock } from '../domain/clock.js'
import { parseAuthorization, type Credential } from '../domain/credentials.js'
import { closestRequirement, metRequirement, warns, type ScopeRequirement } from '../domain/scope-requirements.js'
import type { ClassicScopeMode } from '../domain/scopes.js'
import { workspaceAllowed, workspaceRefusal } from '../domain/workspace-choice.js'
import { ForbiddenError, GatehouseError, InsufficientScopeError, InvalidTokenError, MissingTokenError } from '../errors.js'
import type { RevocationList } from '../oauth/revocation-list.js'
import type { Authenticator, RequestFacts } from './authenticator.js'
import type { Identity } from './identity.js'
import type { UsageCounter } from './scope-usage-counters.js'

export type GateOutcome = 'allowed' | 'missing_token' | 'invalid_token' | 'insufficient_scope' | 'workspace_not_granted'

export interface GateOptions {
  /** Tried in order; the first that recognises a credential decides. */
  authenticators: readonly Authenticator[]
  revocations: Pick<RevocationList, 'isRevoked'>
  decisions: Counter<'outcome'>
  clock: Clock
  /** GATEHOUSE_CLASSIC_SCOPES: what a classic scope past its deprecation day still does. */
  classicScopes: ClassicScopeMode
  deprecatedScopeUses: Counter<'scope'>
  /** Where the `Deprecation` header's Link points: the scope reference. */
  deprecationLink: string
}

/** A route's scope requirements as the gate checks them, with one usage counter for each. */
export interface GuardedOperation {
  requirements: readonly ScopeRequirement[]
  usage: readonly UsageCounter[]
}

const OUTCOME_LABELS: Record<GateOutcome, { outcome: GateOutcome }> = {
  allowed: { outcome: 'allowed' },
  missing_token: { outcome: 'missing_token' },
  invalid_token: { outcome: 'invalid_token' },
  insufficient_scope: { outcome: 'insufficient_scope' },
  workspace_not_granted: { outcome: 'workspace_not_granted' },
}

/**
 * Credential → authenticator → identity → revocation → scope check → workspace check, in front of
 * every protected route.
 * The Authorization header is parsed once; the first authenticator that recognises the
 * credential's form verifies it (the access-token one locally, no database; a warm cache skips
 * the signature check). The revocation list is consulted here, on every request, whatever
 * proved the identity and whatever any cache says.
 * Disabling a user or an app reaches its tokens through the same list (a cutoff by `iat`).
 */
export class Gate {
  readonly #authenticators: Authenticator[]
  #unrecognised!: string

  constructor(private readonly options: GateOptions) {
    this.#authenticators = [...options.authenticators]
    this.#describeForms()
  }

  /** Another way to authenticate (API tokens, installations), tried after those already known. */
  add(authenticator: Authenticator): void {
    this.#authenticators.push(authenticator)
    this.#describeForms()
  }

  /** An onRequest hook admitting only requests whose identity holds every scope of one of the operation's requirements. */
  hook(operation: GuardedOperation): onRequestHookHandler {
    return (request, reply, done) => {
      const credential = parseAuthorization(request.headers.authorization)
      if (credential.kind === 'none') return done(this.#missingToken())
      const identity = this.#identify(credential, request)
      if (identity instanceof Promise) {
        identity.then(
          (known) => done(this.#admit(request, reply, known, operation)),
          (error: unknown) => done(this.#refuse(error)),
        )
      } else {
        done(identity instanceof Error ? this.#refuse(identity) : this.#admit(request, reply, identity, operation))
      }
    }
  }

  /** The verified identity (at once when cached), or the error that refuses the credential. */
  #identify(credential: Credential, request: RequestFacts): Identity | Error | Promise<Identity> {
    if (credential.kind === 'malformed') return new InvalidTokenError(credential.reason)
    const authenticators = this.#authenticators
    for (let i = 0; i < authenticators.length; i++) {
      if (!authenticators[i].recognise(credential)) continue
      try {
        return authenticators[i].verify(credential, request)
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error))
      }
    }
    return new InvalidTokenError(this.#unrecognised)
  }

  /** Undefined when the request may go on; revocation is checked here, on every request. */
  #admit(request: FastifyRequest, reply: FastifyReply, identity: Identity, operation: GuardedOperation): Error | undefined {
    if (this.options.revocations.isRevoked(identity)) {
      return this.#refuse(new InvalidTokenError('The access token has been revoked'))
    }
    const { clock, classicScopes } = this.options
    const now = clock.now()
    const met = metRequirement(identity.scopes, operation.requirements, now, classicScopes)
    if (met === -1) {
      this.#count('insufficient_scope')
      const closest = closestRequirement(identity.scopes, operation.requirements, now, classicScopes)
      return new InsufficientScopeError(closest?.requirement.scopes ?? [], closest?.missing ?? [])
    }
    // Only a token the user limited to some workspaces carries a list; the others pay one comparison.
    const workspaces = identity.workspaces
    if (workspaces !== undefined) {
      const slug = (request.params as { workspace?: unknown }).workspace
      if (typeof slug === 'string' && !workspaceAllowed(workspaces, slug)) {
        this.#count('workspace_not_granted')
        return new ForbiddenError(workspaceRefusal(workspaces, slug))
      }
    }
    request.identity = identity
    this.#count('allowed')
    const calls = operation.usage[met].calls
    calls.set(identity.clientId, (calls.get(identity.clientId) ?? 0) + 1)
    if (warns(operation.requirements[met], now, classicScopes)) this.#warnDeprecated(reply, operation.requirements[met])
    return undefined
  }

  /** RFC 9745's Deprecation header (the day the classic scope was deprecated) and a link to what replaces it. */
  #warnDeprecated(reply: FastifyReply, requirement: ScopeRequirement): void {
    reply.header('deprecation', `@${Math.floor(requirement.deprecatedAt! / 1000)}`)
    reply.header('link', `<${this.options.deprecationLink}>; rel="deprecation"; type="text/html"`)
    for (const scope of requirement.scopes) this.options.deprecatedScopeUses.inc({ scope })
  }

  /**
   * A refused credential (InvalidTokenError) is counted as invalid_token. Anything else an
   * authenticator fails with (its database unreachable, say) is not the caller's fault: it goes to
   * the error handler as it is (503 for an unavailable database), not answered as a bad credential.
   */
  #refuse(error: unknown): Error {
    if (error instanceof InvalidTokenError) {
      this.#count('invalid_token')
      return error
    }
    return error instanceof Error ? error : new Error(String(error))
  }

  #missingToken(): GatehouseError {
    this.#count('missing_token')
    return new MissingTokenError()
  }

  #count(outcome: GateOutcome): void {
    this.options.decisions.inc(OUTCOME_LABELS[outcome])
  }

  #describeForms(): void {
    const forms = this.#authenticators.map((a) => `Authorization: ${a.form}`)
    this.#unrecognised = forms.length === 0
      ? 'This API accepts no credentials: no authenticator is configured'
      : `This API does not accept these credentials; send ${forms.length > 1 ? `one of ${forms.join('; ')}` : forms[0]}`
  }
}
