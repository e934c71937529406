import { isAbsolute, resolve } from 'node:path';
import { UnsupportedDatabaseUrlError } from '@tidemark/core';

export type DialectName = 'sqlite' | 'postgres';

export type DatabaseLocation =
  | { readonly dialect: 'sqlite'; readonly file: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string };

export const SQLITE_IN_MEMORY = ':memory:';

/** `sqlite:<path>`, `sqlite::memory:`, a plain path to a file, or `postgres(ql)://…`. */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseLocation {
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', connectionString: url };
  let file: string;
  if (url.startsWith('sqlite://')) file = url.slice('sqlite://'.length);
  else if (url.startsWith('sqlite:')) file = url.slice('sqlite:'.length);
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && url.trim() !== '') file = url;
  else throw new UnsupportedDatabaseUrlError(url);
  if (file === '') throw new UnsupportedDatabaseUrlError(url);
  if (file === SQLITE_IN_MEMORY) return { dialect: 'sqlite', file };
  return { dialect: 'sqlite', file: isAbsolute(file) ? file : resolve(cwd, file) };
}

/** The URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
