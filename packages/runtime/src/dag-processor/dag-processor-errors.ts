import { TidemarkError } from '@tidemark/core';

export class DagsFolderNotFoundError extends TidemarkError {
  constructor(dagsFolder: string) {
    super(
      'dags_folder_not_found',
      `the DAGs folder ${dagsFolder} does not exist or is not a folder; create it, or point core.dags_folder ` +
        '(TIDEMARK_CORE__DAGS_FOLDER) at the folder that holds your DAG files',
      { dags_folder: dagsFolder },
    );
  }
}
