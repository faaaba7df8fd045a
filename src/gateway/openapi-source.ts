import { readFile } from 'node:fs/promises'

const FETCH_TIMEOUT_MS = 10_000

/** An OpenAPI document (JSON) from a URL or a file path; errors carry a one-line reason. */
export async function readOpenApiDocument(source: string): Promise<Record<string, unknown>> {
  const text = /^https?:\/\//i.test(source) ? await fetchText(source) : await readText(source)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error('it is not JSON (YAML documents are not supported; convert it to JSON)')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('it is not a JSON object')
  return parsed as Record<string, unknown>
}

async function fetchText(url: string): Promise<string> {
  let response: Response
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })
  } catch (error) {
    throw new Error(fetchFailure(error as Error & { cause?: { code?: string; message?: string } }))
  }
  if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`)
  return response.text()
}

function fetchFailure(error: Error & { cause?: { code?: string; message?: string } }): string {
  if (error.name === 'TimeoutError') return `no answer within ${FETCH_TIMEOUT_MS / 1000} s`
  const code = error.cause?.code
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (code === 'ENOTFOUND') return 'host not found'
  return code ?? error.cause?.message ?? error.message
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message)
  }
}
