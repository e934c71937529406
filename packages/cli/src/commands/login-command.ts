import { isCancel, password as promptPassword, text as promptText } from '@clack/prompts';
import type { Command } from 'commander';
import { apiCommandGroup, usageError, withApiUrl } from '../api/api-command.ts';
import { resolveConnection } from '../api/api-connection.ts';
import { saveCredentials } from '../api/credentials.ts';
import { PublicApiClient } from '../api/public-api-client.ts';
import { printLine } from '../output/print.ts';

interface LoginOptions {
  apiUrl?: string;
  username?: string;
  password?: string;
}

/** `tidemark login`: POST /auth/token, then the token goes to `<home>/credentials.json` (mode 0600). */
export function loginCommand(): Command {
  return withApiUrl(apiCommandGroup('login', 'log in to an api-server; the API commands then use the saved token'))
    .option('--username <name>', 'user name (default: TIDEMARK_USERNAME, else asked on a terminal, else admin)')
    .option('--password <password>', 'password (default: TIDEMARK_PASSWORD, else asked on a terminal)')
    .action(async (options: LoginOptions, command: Command) => {
      const connection = resolveConnection(options.apiUrl);
      const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const username =
        options.username || process.env.TIDEMARK_USERNAME || (interactive ? await askUsername() : 'admin');
      const password =
        options.password ||
        process.env.TIDEMARK_PASSWORD ||
        (interactive
          ? await askPassword(username)
          : usageError(
              command,
              'no password: pass --password, set TIDEMARK_PASSWORD, or run "tidemark login" in a terminal',
            ));
      const client = new PublicApiClient(connection.apiUrl);
      const token = await client.issueToken(username, password);
      const path = saveCredentials(connection.home, {
        api_url: connection.apiUrl,
        token: token.access_token,
        expires_at: token.expires_at,
        username,
      });
      printLine(`Logged in to ${connection.apiUrl} as ${username} until ${token.expires_at} (token saved in ${path}).`);
    });
}

async function askUsername(): Promise<string> {
  const answer = await promptText({ message: 'Username', placeholder: 'admin', defaultValue: 'admin' });
  if (isCancel(answer)) process.exit(130);
  return answer;
}

async function askPassword(username: string): Promise<string> {
  const answer = await promptPassword({
    message: `Password of ${username}`,
    validate: (value) => (value ? undefined : 'enter the password'),
  });
  if (isCancel(answer)) process.exit(130);
  return answer;
}
