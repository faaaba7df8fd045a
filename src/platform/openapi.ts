import type { Config } from '../config.js'

/** The sample platform API's OpenAPI 3.1 document; `security` names the scopes each operation needs. */
export function sampleOpenApiDocument(config: Config): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Sample platform API', version: '2.0' },
    servers: [{ url: `${config.issuer}/2.0` }],
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          flows: {
            authorizationCode: {
              authorizationUrl: `${config.issuer}/oauth/authorize`,
              tokenUrl: `${config.issuer}/oauth/token`,
              refreshUrl: `${config.issuer}/oauth/token`,
              scopes: {
                account: 'Read your account: username, display name',
                workspace: 'Read the workspaces you belong to and their members',
                repository: 'Read repositories you can see',
                'repository:write': 'Create and change repositories',
                issue: 'Read issues and their comments',
                'issue:write': 'Create issues, change them and comment on them',
              },
            },
          },
        },
      },
    },
    paths: {},
  }
}
