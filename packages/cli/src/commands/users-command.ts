import { TidemarkError, USER_ROLES } from '@tidemark/core';
import type { MetadataDatabase } from '@tidemark/db';
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';

/** The database modules load when a command needs them, not with every `tidemark` command. */
const dbModule = () => import('@tidemark/db');

/**
 * `tidemark users …`: manage people's accounts straight in the metadata database (no api-server
 * needed, so the first admin can always be created or recovered). A generated password is printed
 * once and stored only as a hash.
 */
export function usersCommand(): Command {
  const users = new Command('users')
    .description(`people's accounts and roles (${USER_ROLES.join(', ')}), in the database directly`)
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`tidemark: ${message.replace(/^error: /, '')}`) });

  users
    .command('create')
    .description('create a user; without --password a password is generated and printed once')
    .argument('<username>', 'the name to sign in with')
    .option('--role <role>', `one of ${USER_ROLES.join(', ')}`)
    .option('--password <password>', 'the password (at least 8 characters)')
    .action(async (username: string, options: { role?: string; password?: string }) => {
      // Checked before the database is opened, so a typo costs nothing.
      const role = (await dbModule()).parseUserRole(requireRole(options.role));
      await withCurrentDatabase(async (database) => {
        const account = { username, role, password: options.password };
        const { password, generated } = await (await dbModule()).createUserAccount(database, account);
        process.stdout.write(
          generated
            ? `Created user "${username}" (role ${role}) with password ${password}\n` +
                'It is shown only this once; change it with: tidemark users reset-password ' +
                `${username} --password <new password>\n`
            : `Created user "${username}" (role ${role}).\n`,
        );
      });
    });

  users
    .command('list')
    .description('list the users and their roles')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withCurrentDatabase(async (database) => {
        const { listUsers } = await dbModule();
        const rows = (await listUsers(database.db)).map((user) => ({
          username: user.username,
          role: user.role,
          created_at: new Date(user.createdAt).toISOString(),
        }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        } else if (rows.length === 0) {
          process.stdout.write('No users.\n');
        } else {
          process.stdout.write(
            formatTable(
              ['USERNAME', 'ROLE', 'CREATED'],
              rows.map((row) => [row.username, row.role, row.created_at]),
            ),
          );
        }
      });
    });

  users
    .command('delete')
    .description('delete a user (tokens already issued to it stay valid until they expire)')
    .argument('<username>')
    .action(async (username: string) => {
      await withCurrentDatabase(async (database) => {
        await (await dbModule()).deleteUserAccount(database, username);
        process.stdout.write(`Deleted user "${username}".\n`);
      });
    });

  users
    .command('reset-password')
    .description("set a user's password; without --password one is generated and printed once")
    .argument('<username>')
    .option('--password <password>', 'the new password (at least 8 characters)')
    .action(async (username: string, options: { password?: string }) => {
      await withCurrentDatabase(async (database) => {
        const { password, generated } = await (await dbModule()).resetUserPassword(
          database,
          username,
          options.password,
        );
        process.stdout.write(
          generated
            ? `New password of user "${username}": ${password}\nIt is shown only this once.\n`
            : `Password of user "${username}" changed.\n`,
        );
      });
    });

  return users;
}

function requireRole(role: string | undefined): string {
  if (role === undefined) {
    throw new TidemarkError('validation_error', `users create needs --role <role>, one of ${USER_ROLES.join(', ')}`);
  }
  return role;
}

/** Same configuration as every command; refuses a database that is not migrated (or is newer). */
async function withCurrentDatabase(work: (database: MetadataDatabase) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const database = await (await dbModule()).connectDatabase(config.database.url);
  try {
    await (await dbModule()).assertSchemaCurrent(database);
    await work(database);
  } finally {
    await database.close();
  }
}

function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
