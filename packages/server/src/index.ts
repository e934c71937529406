// The Fastify app: execution/ (per-attempt JWT) and public/ (/api/v2). Built by the runtime and
// public API issues; nothing is served yet.
export {};
