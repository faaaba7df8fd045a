import { writeFile } from 'node:fs/promises'
import { SAMPLE_REFERENCE_FILE, sampleReferenceMarkdown } from './sample-reference.js'

// `npm run docs:scopes`: rewrites docs/scopes.md from the sample platform; commit the result.
await writeFile(SAMPLE_REFERENCE_FILE, await sampleReferenceMarkdown())
console.log(`wrote ${SAMPLE_REFERENCE_FILE}`)
