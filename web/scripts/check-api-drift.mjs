// Fails when src/api/schema.d.ts is not what openapi-typescript makes of ../openapi.json:
// regenerates into a temp file with the same options as `npm run gen:api` and diffs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pmo-api-'));
const fresh = join(dir, 'schema.d.ts');

function generate() {
  try {
    execFileSync('npx', ['openapi-typescript', '../openapi.json', '--empty-objects-unknown', '--output', fresh], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return true;
  } catch {
    console.error('../openapi.json could not be turned into types (see above): the OpenAPI document itself is invalid.');
    return false;
  }
}

try {
  if (!generate()) {
    process.exitCode = 1;
  } else if (readFileSync(fresh, 'utf8') !== readFileSync('src/api/schema.d.ts', 'utf8')) {
    try {
      execFileSync('diff', ['-u', 'src/api/schema.d.ts', fresh], { stdio: 'inherit' });
    } catch {
      /* diff exits 1 when the files differ */
    }
    console.error('src/api/schema.d.ts is out of date with ../openapi.json: run `npm run gen:api`.');
    process.exitCode = 1;
  } else {
    console.log('src/api/schema.d.ts matches ../openapi.json');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
