import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TidemarkError } from '@tidemark/core';
import { Command } from 'commander';
import { FIRST_DAG_ID, packageNameOf, projectFiles } from '../init/project-files.ts';

/** `tidemark init [dir]`: a new project folder with a first DAG, ready for `npm install && npm start`. */
export function initCommand(): Command {
  return new Command('init')
    .description('start a project: package.json, tsconfig.json, dags/ with a first DAG, .gitignore, README')
    .argument('[dir]', 'the project folder (created if missing)', '.')
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`tidemark: ${message.replace(/^error: /, '')}`) })
    .action((dir: string) => {
      const folder = resolve(dir);
      const written = initProject(folder);
      const cd = folder === process.cwd() ? '' : `cd ${dir} && `;
      process.stdout.write(
        `Created a Tidemark project in ${folder}: ${written.join(', ')}.\n` +
          `Next: ${cd}npm install && npm start, then npx tidemark dags trigger ${FIRST_DAG_ID} --wait (see README.md).\n`,
      );
    });
}

/** Writes the project files into `folder`; refuses, writing nothing, if any of them exists. */
export function initProject(folder: string): string[] {
  const files = projectFiles(packageNameOf(basename(folder)));
  const existing = [...files.keys()].filter((path) => existsSync(join(folder, path)));
  if (existing.length > 0) {
    throw new TidemarkError(
      'project_exists',
      `${folder} already has ${existing.join(', ')}; tidemark init writes nothing over existing files: ` +
        'give it a new or empty folder (tidemark init my-project)',
    );
  }
  for (const [path, content] of files) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), content, { flag: 'wx' });
  }
  return [...files.keys()];
}
