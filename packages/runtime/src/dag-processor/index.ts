export { DagsFolderNotFoundError } from '../errors.ts';
export * from './dag-processor.ts';
export { type ParseDagFilesOptions, type ParseDagFilesResult, parseDagFiles } from './parse-dag-files.ts';
export { scanDagsFolder } from './scan-dags-folder.ts';
