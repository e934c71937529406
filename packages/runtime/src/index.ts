// The scheduler loop, DAG processor, executor, supervisor and garbage-collection job. Built by the
// runtime issue; nothing runs yet.
export {};
