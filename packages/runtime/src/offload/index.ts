export { createOffloadStore, createStateOffload, offloadFolderOf, type StateOffload } from './create-offload-store.ts';
export { FilesystemOffloadStore } from './filesystem-offload-store.ts';
export { OffloadingStateRelay, type StateRowRelay } from './offloading-state-relay.ts';
export { S3OffloadStore, type S3OffloadStoreOptions } from './s3-offload-store.ts';
