import { describe, expect, it } from 'vitest';
import { taskEnvironment } from './task-process.ts';

describe('taskEnvironment', () => {
  it('keeps the worker environment but drops every Tidemark credential', () => {
    const env = taskEnvironment({
      PATH: '/usr/bin',
      TIDEMARK_HOME: '/srv/tidemark',
      TIDEMARK_API__SECRET_KEY: 'worker-secret',
      TIDEMARK_API__SESSION_KEY: 'session-secret',
      TIDEMARK_API__ADMIN_PASSWORD: 'admin-password',
      TIDEMARK_API_TOKEN: 'token',
      TIDEMARK_PASSWORD: 'password',
    });
    expect(env).toEqual({ PATH: '/usr/bin', TIDEMARK_HOME: '/srv/tidemark' });
  });
});
