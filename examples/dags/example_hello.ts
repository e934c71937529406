import { dag } from '@tidemark/sdk';

/**
 * Three tasks: a list of names, a greeting mapped over it (one task instance per name), and a
 * summary. It runs every hour (the first run as soon as Tidemark starts). Trigger it with conf
 * {"fail_first_try": true} to watch the summary fail once and succeed on its retry.
 */
const hello = dag('example_hello', {
  description: 'A list, a task mapped over it, and a summary that can fail its first try on demand',
  schedule: '@hourly',
  startDate: '2026-01-01',
  tags: ['example'],
  defaults: { retries: 1, retryDelay: '1s' },
});

const names = hello.task('list_names', async () => ['Ada', 'Grace', 'Edsger', 'Barbara', 'Alan']);

const greet = hello.map('greet', names, async (ctx, name) => {
  ctx.log.info(`greeting ${name}`);
  return `Hello, ${name}!`;
});

const summarize = hello.task('summarize', async (ctx) => {
  if (ctx.conf.fail_first_try === true && ctx.tryNumber === 1) {
    throw new Error('failing the first try on purpose (conf.fail_first_try); the retry will succeed');
  }
  const greetings = await ctx.xcom.pull(greet);
  ctx.log.info(`${greetings.length} greetings`, { greetings });
  return { greetings: greetings.length, tryNumber: ctx.tryNumber };
});

greet.then(summarize);

export default hello;
