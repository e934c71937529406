/**
 * GENERATED from the public API's OpenAPI document (/api/v2/openapi.json) by openapi-typescript.
 * Do not edit: run `npm run generate:ui-api-types` after changing an API contract.
 */
export interface paths {
    readonly "/api/v2/assets": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List assets
         * @description Assets some active DAG declares by default (`only_active=false` adds the others), with the tasks that consume (inlets) and produce (outlets) them.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    /** @description case-insensitive substring of the name (% and _ match themselves) */
                    readonly name_pattern?: string;
                    readonly offset?: number;
                    /** @description leave out assets no active DAG declares (default true) */
                    readonly only_active?: "true" | "false";
                    /** @description sort field; prefix "-" for descending (default id) */
                    readonly order_by?: "id" | "-id" | "name" | "-name" | "uri" | "-uri" | "created_at" | "-created_at" | "updated_at" | "-updated_at";
                    /** @description case-insensitive substring of the URI */
                    readonly uri_pattern?: string;
                };
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly assets: readonly {
                                readonly active: boolean;
                                readonly consuming_tasks: readonly {
                                    readonly dag_id: string;
                                    readonly task_id: string;
                                }[];
                                readonly created_at: string;
                                readonly extra: {
                                    readonly [key: string]: unknown;
                                };
                                readonly group: string;
                                readonly id: number;
                                readonly last_asset_event: {
                                    readonly id: number;
                                    readonly timestamp: string;
                                } | null;
                                readonly name: string;
                                readonly producing_tasks: readonly {
                                    readonly dag_id: string;
                                    readonly task_id: string;
                                }[];
                                readonly scheduled_dags: readonly {
                                    readonly dag_id: string;
                                }[];
                                readonly updated_at: string;
                                readonly uri: string;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/assets/{asset_id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Get an asset */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly asset_id: number;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly active: boolean;
                            readonly consuming_tasks: readonly {
                                readonly dag_id: string;
                                readonly task_id: string;
                            }[];
                            readonly created_at: string;
                            readonly extra: {
                                readonly [key: string]: unknown;
                            };
                            readonly group: string;
                            readonly id: number;
                            readonly last_asset_event: {
                                readonly id: number;
                                readonly timestamp: string;
                            } | null;
                            readonly name: string;
                            readonly producing_tasks: readonly {
                                readonly dag_id: string;
                                readonly task_id: string;
                            }[];
                            readonly scheduled_dags: readonly {
                                readonly dag_id: string;
                            }[];
                            readonly updated_at: string;
                            readonly uri: string;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/assets/{asset_id}/state-store": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List the state of an asset
         * @description Keys in ascending order, with their values and who wrote them last.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    readonly offset?: number;
                };
                readonly header?: never;
                readonly path: {
                    readonly asset_id: number;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly asset_state_store: readonly {
                                readonly key: string;
                                readonly last_updated_by: ({
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "task";
                                    readonly map_index: number;
                                    readonly run_id: string;
                                    readonly task_id: string;
                                    readonly try_number: number;
                                } | {
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "watcher";
                                    readonly watcher: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "api";
                                    readonly user: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "system";
                                    readonly reason: string;
                                }) | null;
                                readonly updated_at: string;
                                /** @description any JSON value but null */
                                readonly value: unknown;
                                readonly version: number;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        /** Clear the state of an asset */
        readonly delete: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly asset_id: number;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description No content */
                readonly 204: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/assets/{asset_id}/state-store/{key}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get a asset-state key
         * @description The key is the rest of the path and may contain `/`. `ETag` carries the version.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly asset_id: number;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly key: string;
                            readonly last_updated_by: ({
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "task";
                                readonly map_index: number;
                                readonly run_id: string;
                                readonly task_id: string;
                                readonly try_number: number;
                            } | {
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "watcher";
                                readonly watcher: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "api";
                                readonly user: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "system";
                                readonly reason: string;
                            }) | null;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Set a asset-state key
         * @description Creates or replaces the value (asset state never expires: `expires_at` is refused). `If-Match: "<version>"` writes only at that version (`"0"`: only if absent).
         */
        readonly put: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly asset_id: number;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        /** @description any JSON value but null */
                        readonly value: unknown;
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly key: string;
                            readonly last_updated_by: ({
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "task";
                                readonly map_index: number;
                                readonly run_id: string;
                                readonly task_id: string;
                                readonly try_number: number;
                            } | {
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "watcher";
                                readonly watcher: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "api";
                                readonly user: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "system";
                                readonly reason: string;
                            }) | null;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The value is over state.max_value_bytes (value_too_large) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly post?: never;
        /**
         * Delete a asset-state key
         * @description Idempotent: deleting an absent key answers 204 too, unless `If-Match` names a version.
         */
        readonly delete: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly asset_id: number;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description No content */
                readonly 204: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/assets/{asset_id}/state-store/{key}/history": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get the history of a asset-state key
         * @description Newest first, at most `state.history_depth` versions. URL-encode a `/` in the key (`%2F`).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly asset_id: number;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly history: readonly {
                                /** @enum {string} */
                                readonly operation: "set" | "delete";
                                /** @description any JSON value but null */
                                readonly value: unknown;
                                readonly version: number;
                                readonly written_at: string;
                                readonly written_by: ({
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "task";
                                    readonly map_index: number;
                                    readonly run_id: string;
                                    readonly task_id: string;
                                    readonly try_number: number;
                                } | {
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "watcher";
                                    readonly watcher: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "api";
                                    readonly user: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "system";
                                    readonly reason: string;
                                }) | null;
                            }[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/assets/{asset_id}/state-store/{key}/history/{version}/restore": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Restore a version of a asset-state key
         * @description Writes the value the key had at `{version}` (from its history) as a new version, written by you. `If-Match: "<current version>"` is required (428 without it; `"0"` when the key is deleted now), and a mismatch answers 412. A version no longer in the history answers 404. URL-encode a `/` in the key (`%2F`).
         */
        readonly post: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly asset_id: number;
                    readonly key: string;
                    /** @description a version listed by the history route */
                    readonly version: number;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly key: string;
                            readonly last_updated_by: ({
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "task";
                                readonly map_index: number;
                                readonly run_id: string;
                                readonly task_id: string;
                                readonly try_number: number;
                            } | {
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "watcher";
                                readonly watcher: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "api";
                                readonly user: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "system";
                                readonly reason: string;
                            }) | null;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The value is over state.max_value_bytes (value_too_large) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match is missing; a restore must name the version it replaces (precondition_required) */
                readonly 428: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/assets/{asset_id}/watchers": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List an asset's watchers
         * @description The watchers declared on the asset, by name. Status: `running` (a triggerer holds its lease), `backing_off` (its last poll failed and it waits out its backoff), `waiting` (no triggerer holds it: none runs, or all are full), `inactive` (its DAG is paused, or no active DAG declares it).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    readonly offset?: number;
                };
                readonly header?: never;
                readonly path: {
                    readonly asset_id: number;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly total_entries: number;
                            readonly watchers: readonly {
                                readonly asset_id: number;
                                readonly asset_name: string;
                                readonly asset_uri: string;
                                readonly dag_id: string;
                                readonly event_count: number;
                                readonly every_ms: number;
                                readonly failure_count: number;
                                readonly id: number;
                                readonly last_error: string | null;
                                readonly last_error_at: string | null;
                                readonly last_event_at: string | null;
                                readonly last_poll_at: string | null;
                                readonly lease_expires_at: string | null;
                                readonly name: string;
                                readonly next_poll_at: string | null;
                                /** @enum {string} */
                                readonly status: "running" | "backing_off" | "waiting" | "inactive";
                                readonly triggerer: string | null;
                            }[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/assets/events": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List asset events
         * @description Events of producing tasks (outlets), of `POST /assets/events` and of watchers, with their source. Newest first by default.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly asset_id?: number;
                    readonly limit?: number;
                    readonly offset?: number;
                    /** @description sort field; prefix "-" for descending (default -timestamp) */
                    readonly order_by?: "id" | "-id" | "timestamp" | "-timestamp" | "asset_id" | "-asset_id" | "source_dag_id" | "-source_dag_id";
                    readonly source_dag_id?: string;
                    readonly source_map_index?: number;
                    readonly source_run_id?: string;
                    readonly source_task_id?: string;
                    /** @description ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z */
                    readonly timestamp_gte?: string;
                    /** @description ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z */
                    readonly timestamp_lte?: string;
                };
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly asset_events: readonly {
                                readonly asset_id: number;
                                readonly asset_name: string;
                                readonly asset_uri: string;
                                readonly extra: {
                                    readonly [key: string]: unknown;
                                };
                                readonly id: number;
                                readonly source_dag_id: string | null;
                                /** @enum {string} */
                                readonly source_kind: "task" | "api" | "watcher";
                                readonly source_map_index: number | null;
                                readonly source_run_id: string | null;
                                readonly source_task_id: string | null;
                                readonly source_try_number: number | null;
                                readonly source_user: string | null;
                                readonly source_watcher: string | null;
                                readonly timestamp: string;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        /**
         * Create an asset event
         * @description Records an event of the asset (source `api`, with the user), queued for every DAG scheduled on it. `extra` is a JSON object of at most `state.max_value_bytes`.
         */
        readonly post: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        readonly asset_id: number;
                        /** @description a JSON object the consuming runs see as the event's extra; at most state.max_value_bytes */
                        readonly extra?: {
                            readonly [key: string]: unknown;
                        };
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly asset_id: number;
                            readonly asset_name: string;
                            readonly asset_uri: string;
                            readonly extra: {
                                readonly [key: string]: unknown;
                            };
                            readonly id: number;
                            readonly source_dag_id: string | null;
                            /** @enum {string} */
                            readonly source_kind: "task" | "api" | "watcher";
                            readonly source_map_index: number | null;
                            readonly source_run_id: string | null;
                            readonly source_task_id: string | null;
                            readonly source_try_number: number | null;
                            readonly source_user: string | null;
                            readonly source_watcher: string | null;
                            readonly timestamp: string;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description A value is over its size limit (state.max_value_bytes) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List DAGs
         * @description Active DAGs by default (`only_active=false` adds DAGs their files no longer define). `dag_id_pattern` is a case-insensitive substring.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    /** @description case-insensitive substring of the DAG id (% and _ match themselves) */
                    readonly dag_id_pattern?: string;
                    readonly limit?: number;
                    readonly offset?: number;
                    /** @description leave out DAGs their files no longer define (default true) */
                    readonly only_active?: "true" | "false";
                    /** @description sort field; prefix "-" for descending (default dag_id) */
                    readonly order_by?: "dag_id" | "-dag_id" | "fileloc" | "-fileloc" | "is_paused" | "-is_paused" | "last_parsed_time" | "-last_parsed_time" | "next_dagrun_run_after" | "-next_dagrun_run_after";
                    /** @description only paused (true) or only unpaused (false) DAGs; both when absent */
                    readonly paused?: "true" | "false";
                };
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly dags: readonly {
                                readonly asset_expression: string | null;
                                readonly catchup: boolean;
                                readonly dag_id: string;
                                readonly description: string | null;
                                readonly fileloc: string;
                                readonly is_active: boolean;
                                readonly is_paused: boolean;
                                readonly last_parsed_time: string | null;
                                readonly latest_dag_run: {
                                    readonly dag_run_id: string;
                                    readonly end_date: string | null;
                                    readonly logical_date: string | null;
                                    /** @enum {string} */
                                    readonly run_type: "manual" | "scheduled" | "asset_triggered";
                                    readonly start_date: string | null;
                                    /** @enum {string} */
                                    readonly state: "queued" | "running" | "success" | "failed";
                                } | null;
                                readonly next_dagrun_run_after: string | null;
                                readonly schedule: string | null;
                                readonly start_date: string | null;
                                readonly tags: readonly string[];
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Get a DAG and its tasks */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly asset_expression: string | null;
                            readonly catchup: boolean;
                            readonly dag_id: string;
                            readonly description: string | null;
                            readonly fileloc: string;
                            readonly is_active: boolean;
                            readonly is_paused: boolean;
                            readonly last_parsed_time: string | null;
                            readonly latest_dag_run: {
                                readonly dag_run_id: string;
                                readonly end_date: string | null;
                                readonly logical_date: string | null;
                                /** @enum {string} */
                                readonly run_type: "manual" | "scheduled" | "asset_triggered";
                                readonly start_date: string | null;
                                /** @enum {string} */
                                readonly state: "queued" | "running" | "success" | "failed";
                            } | null;
                            readonly next_dagrun_run_after: string | null;
                            readonly schedule: string | null;
                            readonly start_date: string | null;
                            readonly tags: readonly string[];
                            readonly tasks: readonly {
                                readonly downstream_task_ids: readonly string[];
                                readonly execution_timeout_ms: number | null;
                                readonly inlets: readonly {
                                    readonly name: string;
                                    readonly uri: string;
                                }[];
                                readonly map_over: string | null;
                                readonly max_retry_delay_ms: number | null;
                                readonly outlets: readonly {
                                    readonly name: string;
                                    readonly uri: string;
                                }[];
                                readonly retries: number;
                                readonly retry_delay_ms: number;
                                readonly retry_exponential_backoff: boolean;
                                readonly task_id: string;
                                readonly upstream_task_ids: readonly string[];
                            }[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        /**
         * Pause or unpause a DAG
         * @description A paused DAG gets no new scheduled runs; its running runs carry on and it can still be triggered by hand.
         */
        readonly patch: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        readonly is_paused: boolean;
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly asset_expression: string | null;
                            readonly catchup: boolean;
                            readonly dag_id: string;
                            readonly description: string | null;
                            readonly fileloc: string;
                            readonly is_active: boolean;
                            readonly is_paused: boolean;
                            readonly last_parsed_time: string | null;
                            readonly latest_dag_run: {
                                readonly dag_run_id: string;
                                readonly end_date: string | null;
                                readonly logical_date: string | null;
                                /** @enum {string} */
                                readonly run_type: "manual" | "scheduled" | "asset_triggered";
                                readonly start_date: string | null;
                                /** @enum {string} */
                                readonly state: "queued" | "running" | "success" | "failed";
                            } | null;
                            readonly next_dagrun_run_after: string | null;
                            readonly schedule: string | null;
                            readonly start_date: string | null;
                            readonly tags: readonly string[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/assets/queuedEvents": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List a DAG's queued asset events
         * @description The events queued for the DAG since its last asset-triggered run, and the assets of its condition that have none yet. A paused DAG keeps its queue.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly asset_expression: string | null;
                            readonly queued_events: readonly {
                                readonly asset_event_id: number;
                                readonly asset_id: number;
                                readonly asset_name: string;
                                readonly asset_uri: string;
                                readonly created_at: string;
                            }[];
                            readonly total_entries: number;
                            readonly waiting_for: readonly {
                                readonly name: string;
                                readonly uri: string;
                            }[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/clearTaskInstances": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Clear task instances so that they run again
         * @description Matching TIs not in state none go back to none, get their retries again and lose their XComs; their finished runs go back to queued. Task state is discarded unless keep_task_state is true. Defaults differ from Airflow: only_failed and dry_run are false. A mapped task is not expanded again: each of its map indices is reset. At most 1000 TIs per call.
         */
        readonly post: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        readonly dag_run_id?: string;
                        /** @default false */
                        readonly dry_run?: boolean;
                        /** @default false */
                        readonly keep_task_state?: boolean;
                        readonly map_indexes?: readonly number[];
                        /** @default false */
                        readonly only_failed?: boolean;
                        readonly task_ids?: readonly string[];
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly task_instances: readonly {
                                readonly dag_id: string;
                                readonly dag_run_id: string;
                                readonly deferral: {
                                    readonly checks: number;
                                    readonly deferred_at: string;
                                    readonly every_ms: number | null;
                                    readonly fired_at: string | null;
                                    /** @enum {string} */
                                    readonly kind: "timer" | "poll";
                                    readonly last_check_at: string | null;
                                    readonly next_check_at: string | null;
                                    /** @enum {string} */
                                    readonly status: "waiting" | "fired";
                                    readonly timeout_at: string | null;
                                    readonly triggerer: string | null;
                                    readonly try_number: number;
                                    readonly wait: string | null;
                                } | null;
                                readonly duration: number | null;
                                readonly end_date: string | null;
                                readonly hostname: string | null;
                                readonly id: string;
                                readonly map_index: number;
                                readonly max_tries: number;
                                readonly next_retry_at: string | null;
                                readonly queued_when: string | null;
                                readonly start_date: string | null;
                                readonly state: ("scheduled" | "queued" | "running" | "deferred" | "success" | "failed" | "up_for_retry" | "upstream_failed" | "skipped" | "removed") | null;
                                readonly task_id: string;
                                readonly try_number: number;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the token’s role is too low */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List DAG runs
         * @description The runs of one DAG, or of every DAG with `dag_id` `~`. Newest first by default. Each run carries `task_instance_states`, the count of its TIs per state.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    /** @description ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z */
                    readonly logical_date_gte?: string;
                    /** @description ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z */
                    readonly logical_date_lte?: string;
                    readonly offset?: number;
                    /** @description sort field; prefix "-" for descending (default -id) */
                    readonly order_by?: "id" | "-id" | "dag_id" | "-dag_id" | "dag_run_id" | "-dag_run_id" | "state" | "-state" | "run_type" | "-run_type" | "logical_date" | "-logical_date" | "queued_at" | "-queued_at" | "start_date" | "-start_date" | "end_date" | "-end_date";
                    /** @description one or more of manual, scheduled, asset_triggered; repeat the parameter or separate with commas */
                    readonly run_type?: string | readonly string[];
                    /** @description ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z */
                    readonly start_date_gte?: string;
                    /** @description ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z */
                    readonly start_date_lte?: string;
                    /** @description one or more of queued, running, success, failed; repeat the parameter or separate with commas */
                    readonly state?: string | readonly string[];
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly dag_runs: readonly {
                                readonly conf: {
                                    readonly [key: string]: unknown;
                                };
                                readonly dag_id: string;
                                readonly dag_run_id: string;
                                readonly data_interval_end: string | null;
                                readonly data_interval_start: string | null;
                                readonly end_date: string | null;
                                readonly logical_date: string | null;
                                readonly note: null;
                                readonly queued_at: string | null;
                                /** @enum {string} */
                                readonly run_type: "manual" | "scheduled" | "asset_triggered";
                                readonly start_date: string | null;
                                /** @enum {string} */
                                readonly state: "queued" | "running" | "success" | "failed";
                                readonly task_instance_states: {
                                    readonly [key: string]: number;
                                };
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        /**
         * Trigger a DAG run
         * @description Creates a manual run with its task instances; the scheduler starts it. `dag_run_id` defaults to `manual__<now>`, `logical_date` to now, `conf` to `{}`. A paused DAG can be triggered.
         */
        readonly post: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        readonly conf?: {
                            readonly [key: string]: unknown;
                        } | null;
                        readonly dag_run_id?: string | null;
                        /** @description ISO-8601 with a zone; default: now */
                        readonly logical_date?: string | null;
                    } | null;
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly conf: {
                                readonly [key: string]: unknown;
                            };
                            readonly dag_id: string;
                            readonly dag_run_id: string;
                            readonly data_interval_end: string | null;
                            readonly data_interval_start: string | null;
                            readonly end_date: string | null;
                            readonly logical_date: string | null;
                            readonly note: null;
                            readonly queued_at: string | null;
                            /** @enum {string} */
                            readonly run_type: "manual" | "scheduled" | "asset_triggered";
                            readonly start_date: string | null;
                            /** @enum {string} */
                            readonly state: "queued" | "running" | "success" | "failed";
                            readonly task_instance_states: {
                                readonly [key: string]: number;
                            };
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Conflict with the current state */
                readonly 409: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Get a DAG run */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly conf: {
                                readonly [key: string]: unknown;
                            };
                            readonly dag_id: string;
                            readonly dag_run_id: string;
                            readonly data_interval_end: string | null;
                            readonly data_interval_start: string | null;
                            readonly end_date: string | null;
                            readonly logical_date: string | null;
                            readonly note: null;
                            readonly queued_at: string | null;
                            /** @enum {string} */
                            readonly run_type: "manual" | "scheduled" | "asset_triggered";
                            readonly start_date: string | null;
                            /** @enum {string} */
                            readonly state: "queued" | "running" | "success" | "failed";
                            readonly task_instance_states: {
                                readonly [key: string]: number;
                            };
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        /**
         * Delete a DAG run
         * @description Its task instances, XComs and task state go with it.
         */
        readonly delete: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Deleted */
                readonly 204: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List the task instances of a DAG run
         * @description Ordered by task id, then map index. `state` takes a comma list or repeats; `none` is not scheduled yet.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    readonly map_index?: number | string;
                    readonly offset?: number;
                    /** @description states, comma-separated or repeated: scheduled, queued, running, deferred, success, failed, up_for_retry, upstream_failed, skipped, removed, none */
                    readonly state?: string | readonly string[];
                    readonly task_id?: string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly task_instances: readonly {
                                readonly dag_id: string;
                                readonly dag_run_id: string;
                                readonly deferral: {
                                    readonly checks: number;
                                    readonly deferred_at: string;
                                    readonly every_ms: number | null;
                                    readonly fired_at: string | null;
                                    /** @enum {string} */
                                    readonly kind: "timer" | "poll";
                                    readonly last_check_at: string | null;
                                    readonly next_check_at: string | null;
                                    /** @enum {string} */
                                    readonly status: "waiting" | "fired";
                                    readonly timeout_at: string | null;
                                    readonly triggerer: string | null;
                                    readonly try_number: number;
                                    readonly wait: string | null;
                                } | null;
                                readonly duration: number | null;
                                readonly end_date: string | null;
                                readonly hostname: string | null;
                                readonly id: string;
                                readonly map_index: number;
                                readonly max_tries: number;
                                readonly next_retry_at: string | null;
                                readonly queued_when: string | null;
                                readonly start_date: string | null;
                                readonly state: ("scheduled" | "queued" | "running" | "deferred" | "success" | "failed" | "up_for_retry" | "upstream_failed" | "skipped" | "removed") | null;
                                readonly task_id: string;
                                readonly try_number: number;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get a task instance
         * @description A mapped task’s TIs need `map_index`; without it, -1 (an unmapped task).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly map_index?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly dag_id: string;
                            readonly dag_run_id: string;
                            readonly deferral: {
                                readonly checks: number;
                                readonly deferred_at: string;
                                readonly every_ms: number | null;
                                readonly fired_at: string | null;
                                /** @enum {string} */
                                readonly kind: "timer" | "poll";
                                readonly last_check_at: string | null;
                                readonly next_check_at: string | null;
                                /** @enum {string} */
                                readonly status: "waiting" | "fired";
                                readonly timeout_at: string | null;
                                readonly triggerer: string | null;
                                readonly try_number: number;
                                readonly wait: string | null;
                            } | null;
                            readonly duration: number | null;
                            readonly end_date: string | null;
                            readonly hostname: string | null;
                            readonly id: string;
                            readonly map_index: number;
                            readonly max_tries: number;
                            readonly next_retry_at: string | null;
                            readonly queued_when: string | null;
                            readonly start_date: string | null;
                            readonly state: ("scheduled" | "queued" | "running" | "deferred" | "success" | "failed" | "up_for_retry" | "upstream_failed" | "skipped" | "removed") | null;
                            readonly task_id: string;
                            readonly try_number: number;
                        };
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        /**
         * Mark a task instance success or failed
         * @description Sets the state and end date. A running attempt is stopped at its next heartbeat (409 stale_attempt). Marking success records no asset event; the scheduler then runs the downstream tasks. With state.clear_on_success, marking success discards the TI’s task state.
         */
        readonly patch: {
            readonly parameters: {
                readonly query?: {
                    readonly map_index?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        /** @enum {string} */
                        readonly new_state: "success" | "failed";
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly dag_id: string;
                            readonly dag_run_id: string;
                            readonly deferral: {
                                readonly checks: number;
                                readonly deferred_at: string;
                                readonly every_ms: number | null;
                                readonly fired_at: string | null;
                                /** @enum {string} */
                                readonly kind: "timer" | "poll";
                                readonly last_check_at: string | null;
                                readonly next_check_at: string | null;
                                /** @enum {string} */
                                readonly status: "waiting" | "fired";
                                readonly timeout_at: string | null;
                                readonly triggerer: string | null;
                                readonly try_number: number;
                                readonly wait: string | null;
                            } | null;
                            readonly duration: number | null;
                            readonly end_date: string | null;
                            readonly hostname: string | null;
                            readonly id: string;
                            readonly map_index: number;
                            readonly max_tries: number;
                            readonly next_retry_at: string | null;
                            readonly queued_when: string | null;
                            readonly start_date: string | null;
                            readonly state: ("scheduled" | "queued" | "running" | "deferred" | "success" | "failed" | "up_for_retry" | "upstream_failed" | "skipped" | "removed") | null;
                            readonly task_id: string;
                            readonly try_number: number;
                        };
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the token’s role is too low */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Read the log of one try of a task instance
         * @description Pass continuation_token back as offset to read on (to follow a running try); it is null once the try is over and everything was read. Accept: text/plain answers the text itself.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly map_index?: number | string;
                    readonly offset?: number | string;
                    readonly token?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                    readonly try_number: number | string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description a chunk of the log */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly complete: boolean;
                            readonly content: string;
                            readonly continuation_token: string | null;
                        };
                        readonly "text/plain": string;
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/state-store": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List the task state of a task instance
         * @description Keys in ascending order with their values; expired keys are left out.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly limit?: number;
                    readonly map_index?: number | string;
                    readonly offset?: number;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly task_state_store: readonly {
                                readonly expires_at: string | null;
                                readonly key: string;
                                readonly updated_at: string;
                                /** @description any JSON value but null */
                                readonly value: unknown;
                                readonly version: number;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        /**
         * Clear the task state of a task instance
         * @description Deletes every key of the TI. With `all_map_indices=true`, every map index of the task in that run.
         */
        readonly delete: {
            readonly parameters: {
                readonly query?: {
                    readonly all_map_indices?: "true" | "false";
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly map_index?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description No content */
                readonly 204: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/state-store/{key}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get a task-state key
         * @description The key is the rest of the path and may contain `/`. `ETag` carries the version.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly map_index?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly key: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly expires_at: string | null;
                            readonly key: string;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Set a task-state key
         * @description Creates or replaces the value. `expires_at`: `"default"` (now + `state.default_retention`; a retention of 0 never expires), `null` (never) or an ISO-8601 time. `If-Match: "<version>"` writes only at that version (`"0"`: only if absent).
         */
        readonly put: {
            readonly parameters: {
                readonly query?: {
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly map_index?: number | string;
                };
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly key: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        /** @default default */
                        readonly expires_at?: "default" | null | string;
                        /** @description any JSON value but null */
                        readonly value: unknown;
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly expires_at: string | null;
                            readonly key: string;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The value is over state.max_value_bytes (value_too_large) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly post?: never;
        /**
         * Delete a task-state key
         * @description Idempotent: deleting an absent key answers 204 too, unless `If-Match` names a version.
         */
        readonly delete: {
            readonly parameters: {
                readonly query?: {
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly map_index?: number | string;
                };
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly key: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description No content */
                readonly 204: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly options?: never;
        readonly head?: never;
        /**
         * Replace the value of a task-state key
         * @description The key must exist; its expiry stays as it is. `If-Match` as for PUT.
         */
        readonly patch: {
            readonly parameters: {
                readonly query?: {
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly map_index?: number | string;
                };
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly key: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        /** @description any JSON value but null */
                        readonly value: unknown;
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly expires_at: string | null;
                            readonly key: string;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The value is over state.max_value_bytes (value_too_large) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/state-store/{key}/history": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get the history of a task-state key
         * @description Newest first, at most `state.history_depth` versions. URL-encode a `/` in the key (`%2F`).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly map_index?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly key: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly history: readonly {
                                /** @enum {string} */
                                readonly operation: "set" | "delete";
                                /** @description any JSON value but null */
                                readonly value: unknown;
                                readonly version: number;
                                readonly written_at: string;
                                readonly written_by: ({
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "task";
                                    readonly map_index: number;
                                    readonly run_id: string;
                                    readonly task_id: string;
                                    readonly try_number: number;
                                } | {
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "watcher";
                                    readonly watcher: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "api";
                                    readonly user: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "system";
                                    readonly reason: string;
                                }) | null;
                            }[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/state-store/{key}/history/{version}/restore": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Restore a version of a task-state key
         * @description Writes the value the key had at `{version}` (from its history) as a new version, written by you. `If-Match: "<current version>"` is required (428 without it; `"0"` when the key is deleted now), and a mismatch answers 412. A version no longer in the history answers 404. URL-encode a `/` in the key (`%2F`).
         */
        readonly post: {
            readonly parameters: {
                readonly query?: {
                    /** @description an item key of an item-keyed mapped task (what its stateKey(item) returned) */
                    readonly item_key?: string;
                    readonly map_index?: number | string;
                };
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly key: string;
                    readonly task_id: string;
                    /** @description a version listed by the history route */
                    readonly version: number;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly expires_at: string | null;
                            readonly key: string;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The value is over state.max_value_bytes (value_too_large) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match is missing; a restore must name the version it replaces (precondition_required) */
                readonly 428: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List the tries of a task instance
         * @description Oldest first. A try that failed and was retried has state up_for_retry and its next_retry_at; the running try is running; the next try waiting for a worker is queued, with no start yet. A mapped task’s TIs need `map_index`; without it, -1 (an unmapped task).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly map_index?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly task_instances: readonly {
                                readonly dag_id: string;
                                readonly dag_run_id: string;
                                readonly duration: number | null;
                                readonly end_date: string | null;
                                readonly hostname: string | null;
                                readonly map_index: number;
                                readonly max_tries: number;
                                readonly next_retry_at: string | null;
                                readonly queued_when: string | null;
                                readonly start_date: string | null;
                                /** @enum {string} */
                                readonly state: "scheduled" | "queued" | "running" | "deferred" | "success" | "failed" | "up_for_retry" | "upstream_failed" | "skipped" | "removed";
                                readonly task_id: string;
                                readonly try_number: number;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List the XComs of a task instance
         * @description Ordered by map index, then key. Without map_index: the XComs of every map index of the task.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    readonly map_index?: number | string;
                    readonly offset?: number;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly total_entries: number;
                            readonly xcom_entries: readonly {
                                readonly dag_id: string;
                                readonly key: string;
                                readonly map_index: number;
                                readonly run_id: string;
                                readonly task_id: string;
                                readonly timestamp: string;
                            }[];
                        };
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get an XCom of a task instance, with its value
         * @description A mapped task’s TIs need map_index; without it, -1 (an unmapped task).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly map_index?: number | string;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                    readonly task_id: string;
                    readonly xcom_key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly dag_id: string;
                            readonly key: string;
                            readonly map_index: number;
                            readonly run_id: string;
                            readonly task_id: string;
                            readonly timestamp: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                        };
                    };
                };
                /** @description no token, or an expired or forged one */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description the request does not match the contract */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamAssetEvents": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List the asset events that triggered a run
         * @description Empty for runs not triggered by assets.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly dag_run_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly asset_events: readonly {
                                readonly asset_id: number;
                                readonly asset_name: string;
                                readonly asset_uri: string;
                                readonly extra: {
                                    readonly [key: string]: unknown;
                                };
                                readonly id: number;
                                readonly source_dag_id: string | null;
                                /** @enum {string} */
                                readonly source_kind: "task" | "api" | "watcher";
                                readonly source_map_index: number | null;
                                readonly source_run_id: string | null;
                                readonly source_task_id: string | null;
                                readonly source_try_number: number | null;
                                readonly source_user: string | null;
                                readonly source_watcher: string | null;
                                readonly timestamp: string;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description Not found */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/state-store": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List the state of a DAG
         * @description State shared by every run and task of the DAG: keys in ascending order, with their values, expiry and who wrote them last.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    readonly offset?: number;
                };
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly dag_state_store: readonly {
                                readonly expires_at: string | null;
                                readonly key: string;
                                readonly last_updated_by: ({
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "task";
                                    readonly map_index: number;
                                    readonly run_id: string;
                                    readonly task_id: string;
                                    readonly try_number: number;
                                } | {
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "watcher";
                                    readonly watcher: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "api";
                                    readonly user: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "system";
                                    readonly reason: string;
                                }) | null;
                                readonly updated_at: string;
                                /** @description any JSON value but null */
                                readonly value: unknown;
                                readonly version: number;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        /** Clear the state of a DAG */
        readonly delete: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description No content */
                readonly 204: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/state-store/{key}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get a DAG-state key
         * @description The key is the rest of the path and may contain `/`. `ETag` carries the version.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly expires_at: string | null;
                            readonly key: string;
                            readonly last_updated_by: ({
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "task";
                                readonly map_index: number;
                                readonly run_id: string;
                                readonly task_id: string;
                                readonly try_number: number;
                            } | {
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "watcher";
                                readonly watcher: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "api";
                                readonly user: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "system";
                                readonly reason: string;
                            }) | null;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Set a DAG-state key
         * @description Creates or replaces the value. `expires_at`: `null` (never, the default) or an ISO-8601 time. `If-Match: "<version>"` writes only at that version (`"0"`: only if absent).
         */
        readonly put: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly dag_id: string;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        /** @default null */
                        readonly expires_at?: null | string;
                        /** @description any JSON value but null */
                        readonly value: unknown;
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly expires_at: string | null;
                            readonly key: string;
                            readonly last_updated_by: ({
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "task";
                                readonly map_index: number;
                                readonly run_id: string;
                                readonly task_id: string;
                                readonly try_number: number;
                            } | {
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "watcher";
                                readonly watcher: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "api";
                                readonly user: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "system";
                                readonly reason: string;
                            }) | null;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The value is over state.max_value_bytes (value_too_large) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly post?: never;
        /**
         * Delete a DAG-state key
         * @description Idempotent: deleting an absent key answers 204 too, unless `If-Match` names a version.
         */
        readonly delete: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly dag_id: string;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description No content */
                readonly 204: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/state-store/{key}/history": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Get the history of a DAG-state key
         * @description Newest first, at most `state.history_depth` versions. URL-encode a `/` in the key (`%2F`).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path: {
                    readonly dag_id: string;
                    readonly key: string;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly history: readonly {
                                /** @enum {string} */
                                readonly operation: "set" | "delete";
                                /** @description any JSON value but null */
                                readonly value: unknown;
                                readonly version: number;
                                readonly written_at: string;
                                readonly written_by: ({
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "task";
                                    readonly map_index: number;
                                    readonly run_id: string;
                                    readonly task_id: string;
                                    readonly try_number: number;
                                } | {
                                    readonly dag_id: string;
                                    /** @enum {string} */
                                    readonly kind: "watcher";
                                    readonly watcher: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "api";
                                    readonly user: string;
                                } | {
                                    /** @enum {string} */
                                    readonly kind: "system";
                                    readonly reason: string;
                                }) | null;
                            }[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/dags/{dag_id}/state-store/{key}/history/{version}/restore": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /**
         * Restore a version of a DAG-state key
         * @description Writes the value the key had at `{version}` (from its history) as a new version, written by you. `If-Match: "<current version>"` is required (428 without it; `"0"` when the key is deleted now), and a mismatch answers 412. A version no longer in the history answers 404. URL-encode a `/` in the key (`%2F`).
         */
        readonly post: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: {
                    readonly "if-match"?: string;
                };
                readonly path: {
                    readonly dag_id: string;
                    readonly key: string;
                    /** @description a version listed by the history route */
                    readonly version: number;
                };
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly expires_at: string | null;
                            readonly key: string;
                            readonly last_updated_by: ({
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "task";
                                readonly map_index: number;
                                readonly run_id: string;
                                readonly task_id: string;
                                readonly try_number: number;
                            } | {
                                readonly dag_id: string;
                                /** @enum {string} */
                                readonly kind: "watcher";
                                readonly watcher: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "api";
                                readonly user: string;
                            } | {
                                /** @enum {string} */
                                readonly kind: "system";
                                readonly reason: string;
                            }) | null;
                            readonly updated_at: string;
                            /** @description any JSON value but null */
                            readonly value: unknown;
                            readonly version: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The token's role is too low for this route (writes need op) */
                readonly 403: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The DAG run, task instance, asset or state key does not exist */
                readonly 404: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match names a version other than the stored one (state_conflict) */
                readonly 412: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The value is over state.max_value_bytes (value_too_large) */
                readonly 413: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query, header or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description If-Match is missing; a restore must name the version it replaces (precondition_required) */
                readonly 428: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/health": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * Health of the metadata database and the scheduler
         * @description No token needed. Always 200: read the statuses.
         */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly metadatabase: {
                                /** @enum {string} */
                                readonly status: "healthy" | "unhealthy";
                            };
                            readonly scheduler: {
                                readonly latest_scheduler_heartbeat: string | null;
                                readonly status: ("healthy" | "unhealthy") | null;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/importErrors": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** List DAG files that failed to load */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly limit?: number;
                    readonly offset?: number;
                };
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly import_errors: readonly {
                                readonly fileloc: string;
                                readonly import_error_id: number;
                                readonly line: number | null;
                                readonly message: string;
                                readonly timestamp: string;
                            }[];
                            readonly total_entries: number;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/version": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The Tidemark version */
        readonly get: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly git_version: string | null;
                            readonly version: string;
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v2/watchers": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /**
         * List asset watchers
         * @description Every watcher, by asset name then name; filter by `status` or `dag_id`. Status: `running` (a triggerer holds its lease), `backing_off` (its last poll failed and it waits out its backoff), `waiting` (no triggerer holds it: none runs, or all are full), `inactive` (its DAG is paused, or no active DAG declares it).
         */
        readonly get: {
            readonly parameters: {
                readonly query?: {
                    readonly dag_id?: string;
                    readonly limit?: number;
                    readonly offset?: number;
                    readonly status?: "running" | "backing_off" | "waiting" | "inactive";
                };
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody?: never;
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly total_entries: number;
                            readonly watchers: readonly {
                                readonly asset_id: number;
                                readonly asset_name: string;
                                readonly asset_uri: string;
                                readonly dag_id: string;
                                readonly event_count: number;
                                readonly every_ms: number;
                                readonly failure_count: number;
                                readonly id: number;
                                readonly last_error: string | null;
                                readonly last_error_at: string | null;
                                readonly last_event_at: string | null;
                                readonly last_poll_at: string | null;
                                readonly lease_expires_at: string | null;
                                readonly name: string;
                                readonly next_poll_at: string | null;
                                /** @enum {string} */
                                readonly status: "running" | "backing_off" | "waiting" | "inactive";
                                readonly triggerer: string | null;
                            }[];
                        };
                    };
                };
                /** @description No bearer token, or an invalid or expired one (get one from POST /auth/token) */
                readonly 401: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
                /** @description The path, query or body does not match the contract; the message names the field */
                readonly 422: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly detail: {
                                readonly message: string;
                                readonly reason: string;
                            };
                        };
                    };
                };
            };
        };
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/auth/token": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Exchange a username and password for a bearer token */
        readonly post: {
            readonly parameters: {
                readonly query?: never;
                readonly header?: never;
                readonly path?: never;
                readonly cookie?: never;
            };
            readonly requestBody: {
                readonly content: {
                    readonly "application/json": {
                        readonly password: string;
                        readonly username: string;
                    };
                };
            };
            readonly responses: {
                /** @description Default Response */
                readonly 200: {
                    headers: {
                        readonly [name: string]: unknown;
                    };
                    content: {
                        readonly "application/json": {
                            readonly access_token: string;
                            readonly expires_at: string;
                            /** @enum {string} */
                            readonly token_type: "bearer";
                        };
                    };
                };
            };
        };
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
