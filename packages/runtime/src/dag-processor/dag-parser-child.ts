// The parser process: imports DAG files one after the other for the DAG processor, which starts it
// with the tsx loader, sends one ParseRequest, and kills it when a file hangs.
import type { ParseRequest, ParserMessage } from './dag-parser-protocol.ts';
import { loadDagFile } from './load-dag-file.ts';

if (!process.send) {
  console.error('dag-parser-child.ts is started by the DAG processor, with an IPC channel; it cannot run alone');
  process.exit(2);
}

// The DAG processor is gone (its process ended): nobody waits for the result.
process.on('disconnect', () => process.exit(1));

let requested = false;
// The listener stays, keeping the channel open, so that a file awaiting forever hangs (and is
// timed out) instead of letting the process end quietly.
process.on('message', (request: ParseRequest) => {
  if (requested || request?.type !== 'parse') return;
  requested = true;
  parseAll(request).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

async function parseAll(request: ParseRequest): Promise<void> {
  for (const file of request.files) {
    await send({ type: 'started', fileloc: file.fileloc });
    await send({ type: 'parsed', file: await loadDagFile(file.path, file.fileloc) });
  }
  await send({ type: 'done' });
}

function send(message: ParserMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send?.(message, undefined, {}, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}
