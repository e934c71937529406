/** The UI's pages and their paths. */
export type Route =
  | { readonly page: 'dags' }
  | { readonly page: 'dag'; readonly dagId: string; readonly tab: string | null }
  | { readonly page: 'dag_graph'; readonly dagId: string; readonly runId: string | null }
  | { readonly page: 'run'; readonly dagId: string; readonly runId: string; readonly tab: string | null }
  | {
      readonly page: 'task';
      readonly dagId: string;
      readonly runId: string;
      readonly taskId: string;
      readonly mapIndex: number;
      readonly tab: string | null;
    }
  | { readonly page: 'assets' }
  | { readonly page: 'asset_graph' }
  | { readonly page: 'asset'; readonly assetId: number; readonly tab: string | null }
  | { readonly page: 'not_found' };

const e = encodeURIComponent;

export const paths = {
  dags: () => '/',
  dag: (dagId: string, tab?: string) => `/dags/${e(dagId)}${query({ tab })}`,
  dagGraph: (dagId: string, runId?: string) => `/dags/${e(dagId)}/graph${query({ run: runId })}`,
  run: (dagId: string, runId: string, tab?: string, filters: Record<string, string | undefined> = {}) =>
    `/dags/${e(dagId)}/runs/${e(runId)}${query({ tab, ...filters })}`,
  task: (dagId: string, runId: string, taskId: string, mapIndex = -1, tab?: string) =>
    `/dags/${e(dagId)}/runs/${e(runId)}/tasks/${e(taskId)}${query({ map_index: mapIndex === -1 ? undefined : mapIndex, tab })}`,
  assets: () => '/assets',
  assetGraph: () => '/assets/graph',
  asset: (assetId: number, tab?: string) => `/assets/${assetId}${query({ tab })}`,
};

export function routeOf(pathname: string, search: URLSearchParams): Route {
  const parts = decodedParts(pathname);
  if (parts === null) return { page: 'not_found' };
  const tab = search.get('tab');
  if (parts.length === 0) return { page: 'dags' };
  if (parts[0] === 'dags') {
    const [, dagId, runs, runId, tasks, taskId] = parts;
    if (parts.length === 1) return { page: 'dags' };
    if (dagId && parts.length === 2) return { page: 'dag', dagId, tab };
    if (dagId && runs === 'graph' && parts.length === 3) return { page: 'dag_graph', dagId, runId: search.get('run') };
    if (dagId && runs === 'runs' && runId && parts.length === 4) return { page: 'run', dagId, runId, tab };
    if (dagId && runs === 'runs' && runId && tasks === 'tasks' && taskId && parts.length === 6) {
      const mapIndex = Number(search.get('map_index') ?? '-1');
      return { page: 'task', dagId, runId, taskId, mapIndex: Number.isInteger(mapIndex) ? mapIndex : -1, tab };
    }
  }
  if (parts[0] === 'assets') {
    if (parts.length === 1) return { page: 'assets' };
    if (parts.length === 2 && parts[1] === 'graph') return { page: 'asset_graph' };
    const assetId = Number(parts[1]);
    if (parts.length === 2 && Number.isInteger(assetId)) return { page: 'asset', assetId, tab };
  }
  return { page: 'not_found' };
}

/** The path's segments decoded; null when one is not valid percent-encoding (`/dags/%E0%A4`). */
function decodedParts(pathname: string): string[] | null {
  try {
    return pathname
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent);
  } catch {
    return null;
  }
}

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
