// Filled in by the runtime issue (issue 3).
export {};
