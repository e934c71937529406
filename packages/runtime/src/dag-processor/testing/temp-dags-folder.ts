import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A DAGs folder in a temp directory, an ES-module package like a Tidemark project. */
export class TempDagsFolder {
  readonly path = mkdtempSync(join(tmpdir(), 'tidemark-dags-'));
  #clock = Date.now() - 60_000;

  constructor() {
    writeFileSync(join(this.path, 'package.json'), '{ "type": "module" }\n');
  }

  /** Writes the file with a modification time later than any this folder gave before. */
  write(fileloc: string, source: string): string {
    const path = join(this.path, fileloc);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
    this.touch(fileloc);
    return path;
  }

  touch(fileloc: string): void {
    this.#clock += 1_000;
    const time = new Date(this.#clock);
    utimesSync(join(this.path, fileloc), time, time);
  }

  remove(fileloc: string): void {
    rmSync(join(this.path, fileloc), { force: true });
  }

  destroy(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
