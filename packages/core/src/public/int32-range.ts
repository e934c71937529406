/**
 * The largest value of an `integer` column (map_index, try_number, version) on PostgreSQL: a
 * contract that lets more through makes PostgreSQL fail the query ("out of range for type
 * integer"), which answered 500.
 */
export const INT32_MAX = 2_147_483_647;
