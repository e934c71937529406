#!/usr/bin/env node
// Builds the publishable @tidemark/* packages and packs them with `npm pack`.
//
// In this repository the packages are private workspaces whose `exports` name TypeScript sources
// (tsx and vitest run them as they are). What a user installs is built here instead, in
// build/packages/<name>/: JavaScript from esbuild (one file per source file, `.ts` specifiers
// rewritten to `.js`), type declarations from `tsc --emitDeclarationOnly`, and a package.json
// written for publishing (no `private`, `exports` into dist/, `files`, `engines`). Test support
// (testing/, fixtures/, conformance/, *.test.ts) stays out. The web UI's build ships inside
// @tidemark/server (web-ui/), which serves it.
//
//   node scripts/pack-packages.mjs              build into build/, then pack into build/tarballs/
//   node scripts/pack-packages.mjs --no-pack    build only
//   node scripts/pack-packages.mjs --out DIR    use DIR instead of build/ (the npm-pack test does)
//
// It prints the paths of the tarballs, one a line.
//
// It fails, naming the file, when a built file imports something its package does not declare or
// a relative path that was not built: that is what would break in a user's node_modules.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const outOption = process.argv.indexOf('--out');
const OUT = outOption > 0 ? resolve(process.argv[outOption + 1] ?? 'build') : join(ROOT, 'build');
const PACKAGES_OUT = join(OUT, 'packages');
const TARBALLS_OUT = join(OUT, 'tarballs');

/** The packages users install, in dependency order, and the `exports` subpaths they publish. */
const PUBLISHED = {
  core: ['.', './task-process', './errors'],
  db: ['.'],
  sdk: ['.'],
  server: ['.'],
  runtime: ['.', './triggerer-process'],
  cli: ['.'],
};

/** Source files that are test support, never published. */
const TEST_ONLY = /(^|\/)(testing|conformance|([a-z-]+-)?fixtures)\/|\.test\.ts$/;

const rootManifest = readJson(join(ROOT, 'package.json'));

export async function buildPackages() {
  rmSync(PACKAGES_OUT, { recursive: true, force: true });
  const sources = Object.fromEntries(Object.keys(PUBLISHED).map((name) => [name, publishedSources(name)]));
  for (const name of Object.keys(PUBLISHED)) await buildJavaScript(name, sources[name]);
  buildDeclarations(sources);
  for (const name of Object.keys(PUBLISHED)) {
    writeManifest(name);
    checkImports(name);
  }
  buildWebUi();
  copyCliBin();
}

/**
 * The packages' JavaScript only, each into its own `packages/<name>/dist` (git-ignored), where the
 * `tidemark-built` export condition finds it: the test setup builds it so that the `tidemark`
 * processes tests start run JavaScript, without a TypeScript loader (a second or more per start).
 */
export async function buildPackagesInPlace() {
  for (const name of Object.keys(PUBLISHED)) {
    const outdir = join(ROOT, 'packages', name, 'dist');
    rmSync(outdir, { recursive: true, force: true });
    await buildJavaScript(name, publishedSources(name), outdir);
  }
}

export function packPackages() {
  rmSync(TARBALLS_OUT, { recursive: true, force: true });
  mkdirSync(TARBALLS_OUT, { recursive: true });
  const folders = Object.keys(PUBLISHED).map((name) => join(PACKAGES_OUT, name));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', TARBALLS_OUT, ...folders], {
      cwd: OUT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  return packed.map((entry) => join(TARBALLS_OUT, entry.filename));
}

function publishedSources(name) {
  const src = join(ROOT, 'packages', name, 'src');
  return walk(src)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .filter((file) => !TEST_ONLY.test(relative(src, file).split(sep).join('/')));
}

async function buildJavaScript(name, files, outdir = join(PACKAGES_OUT, name, 'dist')) {
  await build({
    entryPoints: files,
    outbase: join(ROOT, 'packages', name, 'src'),
    outdir,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    bundle: false,
    logLevel: 'warning',
  });
  for (const file of walk(outdir).filter((path) => path.endsWith('.js'))) {
    writeFileSync(file, rewriteTsSpecifiers(file, readFileSync(file, 'utf8')));
  }
}

/**
 * `./x.ts` → `./x.js` in every relative string literal: import and export specifiers, dynamic
 * imports, and paths resolved against import.meta.url (a process entry, a module hook). Each
 * rewritten path must exist among the built files (`builtExtension`: `.d.ts` for declarations, whose
 * `./x.js` specifiers TypeScript resolves to `./x.d.ts`).
 */
function rewriteTsSpecifiers(file, code, builtExtension = '.js') {
  return code.replace(/(["'`])(\.\.?\/[^"'`\n]*?)\.ts\1/g, (_match, quote, path) => {
    const target = resolve(dirname(file), `${path}${builtExtension}`);
    if (!existsSync(target)) {
      throw new Error(`${relative(ROOT, file)}: "${path}.ts" was not built (is it test support?)`);
    }
    return `${quote}${path}.js${quote}`;
  });
}

function buildDeclarations(sources) {
  const typesOut = join(OUT, 'types');
  rmSync(typesOut, { recursive: true, force: true });
  const config = join(OUT, 'tsconfig.declarations.json');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        rewriteRelativeImportExtensions: true,
        rootDir: join(ROOT, 'packages'),
        outDir: typesOut,
        declarationDir: typesOut,
        noEmitOnError: true,
        typeRoots: [join(ROOT, 'node_modules', '@types')], // the config is written outside the repository
      },
      include: [],
      files: Object.values(sources).flat(),
    }),
  );
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2], // compile errors to stderr: stdout is the list of tarballs
  });
  for (const name of Object.keys(sources)) {
    const declarations = join(typesOut, name, 'src');
    for (const file of walk(declarations)) {
      const target = join(PACKAGES_OUT, name, 'dist', relative(declarations, file));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, rewriteTsSpecifiers(file, readFileSync(file, 'utf8'), '.d.ts'));
    }
  }
}

function writeManifest(name) {
  const source = readJson(join(ROOT, 'packages', name, 'package.json'));
  const exports = {};
  for (const subpath of PUBLISHED[name]) {
    const entry = sourceEntry(source.exports[subpath]);
    if (typeof entry !== 'string' || !entry.startsWith('./src/') || !entry.endsWith('.ts')) {
      throw new Error(`packages/${name}/package.json: exports["${subpath}"] is not a ./src/*.ts file`);
    }
    const built = `./dist/${entry.slice('./src/'.length, -'.ts'.length)}`;
    if (source.exports[subpath]?.['tidemark-built'] !== `${built}.js`) {
      throw new Error(
        `packages/${name}/package.json: exports["${subpath}"] must be { "tidemark-built": "${built}.js", "default": "${entry}" } (the tests' processes run the build)`,
      );
    }
    exports[subpath] = { types: `${built}.d.ts`, default: `${built}.js` };
  }
  for (const [subpath, entry] of Object.entries(source.exports)) {
    if (!PUBLISHED[name].includes(subpath) && !TEST_ONLY.test(sourceEntry(entry))) {
      throw new Error(
        `packages/${name}/package.json: exports["${subpath}"] is neither test support nor published: add it to PUBLISHED in scripts/pack-packages.mjs`,
      );
    }
  }
  for (const [dependency, range] of Object.entries(source.dependencies ?? {})) {
    const sibling = dependency.startsWith('@tidemark/') && dependency.slice('@tidemark/'.length);
    if (sibling && range !== readJson(join(ROOT, 'packages', sibling, 'package.json')).version) {
      throw new Error(`packages/${name}/package.json: ${dependency} must be its exact version, not "${range}"`);
    }
  }
  const manifest = {
    name: source.name,
    version: source.version,
    description: source.description ?? `Tidemark: ${name}`,
    license: rootManifest.license,
    type: 'module',
    engines: rootManifest.engines,
    exports,
    ...(source.bin ? { bin: source.bin } : {}),
    files: ['dist', ...(source.bin ? ['bin'] : []), ...(name === 'server' ? ['web-ui'] : [])],
    dependencies: source.dependencies,
  };
  writeFileSync(join(PACKAGES_OUT, name, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(PACKAGES_OUT, name, 'README.md'), packageReadme(manifest));
}

/** The registry page of a package: what it is, and where a project starts. */
function packageReadme(manifest) {
  return [
    `# ${manifest.name}`,
    '',
    `${manifest.description}.`,
    '',
    'Part of Tidemark, a TypeScript orchestrator built around durable task state and asset state.',
    'Start a project with `npx @tidemark/cli init my-pipelines`: its DAG files import `@tidemark/sdk`,',
    'and `npx tidemark standalone --dags-folder dags` runs them (Node.js >= 20.19).',
    '',
  ].join('\n');
}

/** Every bare import of a built file is a Node built-in, the package itself or a declared dependency. */
function checkImports(name) {
  const folder = join(PACKAGES_OUT, name);
  const manifest = readJson(join(folder, 'package.json'));
  const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {})]);
  const problems = [];
  for (const file of walk(join(folder, 'dist')).filter((path) => path.endsWith('.js'))) {
    const code = readFileSync(file, 'utf8');
    for (const [, specifier] of code.matchAll(/(?:\bfrom|\bimport\s*\(|^\s*import)\s*["']([^"'.][^"']*)["']/gm)) {
      if (specifier.includes('${')) continue; // a template literal's text, not an import
      const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (specifier.startsWith('node:') || builtinModules.includes(pkg) || declared.has(pkg)) continue;
      problems.push(`${relative(ROOT, file)} imports "${specifier}", which ${manifest.name} does not depend on`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * The web UI, built by Vite straight into @tidemark/server's web-ui/ folder, which the api-server
 * serves (not through packages/ui/dist, which `npm start` and the UI tests may be building).
 */
function buildWebUi() {
  const ui = join(ROOT, 'packages', 'ui');
  const vite = join(dirname(createRequire(join(ui, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  const outDir = join(PACKAGES_OUT, 'server', 'web-ui');
  execFileSync(process.execPath, [vite, 'build', ui, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 2, 2],
  });
}

function copyCliBin() {
  cpSync(join(ROOT, 'packages', 'cli', 'bin'), join(PACKAGES_OUT, 'cli', 'bin'), { recursive: true });
}

function walk(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** An export's TypeScript source: the entry itself, or its `default` beside `tidemark-built`. */
function sourceEntry(entry) {
  return typeof entry === 'object' && entry !== null ? entry.default : entry;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const started = Date.now();
  await buildPackages();
  const tarballs = process.argv.includes('--no-pack') ? [] : packPackages();
  for (const tarball of tarballs) process.stdout.write(`${tarball}\n`);
  process.stderr.write(`built ${Object.keys(PUBLISHED).length} packages in ${Date.now() - started} ms\n`);
}
