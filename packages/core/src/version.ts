export const TIDEMARK_VERSION = '0.1.0';
