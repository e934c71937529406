import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDagsFolder } from './temp-dags-folder.ts';

const SDK_PACKAGE = fileURLToPath(new URL('../', import.meta.resolve('@tidemark/sdk')));

/** A temp DAGs folder whose files import '@tidemark/sdk' from the project they live in, as users' do. */
export function sdkDagsFolder(): TempDagsFolder {
  const folder = new TempDagsFolder();
  mkdirSync(join(folder.path, 'node_modules', '@tidemark'), { recursive: true });
  symlinkSync(SDK_PACKAGE, join(folder.path, 'node_modules', '@tidemark', 'sdk'));
  return folder;
}
