export * from './dag-processor.ts';
export * from './dag-processor-errors.ts';
export { type ParseDagFilesOptions, type ParseDagFilesResult, parseDagFiles } from './parse-dag-files.ts';
export { scanDagsFolder } from './scan-dags-folder.ts';
