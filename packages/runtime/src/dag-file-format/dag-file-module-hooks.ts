// Node module hooks (`module.register`) for the DAG parser and task processes: a DAG file, and the
// files it imports, load as ES modules even in a folder whose package.json has no "type" (or that
// has none at all). Node would load them as CommonJS there, and with tsx's ESM loader every
// attempt then failed with ERR_REQUIRE_CYCLE_MODULE. Files under node_modules are left alone.
import { fileURLToPath } from 'node:url';
import { packageModuleType } from './package-module-type.ts';

/** The extensions whose format Node takes from the package scope (`.mts`/`.cts` etc. say theirs). */
const SCOPE_TYPED_EXTENSION = /\.(?:ts|tsx|js|jsx)$/;

interface ResolveResult {
  readonly url: string;
  readonly format?: string | null;
}

type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<ResolveResult> {
  const resolved = await nextResolve(specifier, context);
  return loadsAsModuleInUntypedScope(resolved) ? { ...resolved, format: 'module' } : resolved;
}

function loadsAsModuleInUntypedScope(resolved: ResolveResult): boolean {
  if (resolved.format === 'module' || !resolved.url.startsWith('file:')) return false;
  const path = fileURLToPath(resolved.url);
  if (!SCOPE_TYPED_EXTENSION.test(path) || path.split(/[\\/]/).includes('node_modules')) return false;
  return packageModuleType(path).type === null;
}
