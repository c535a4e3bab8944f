/**
 * Role names, without zod: the provider host needs them on every operation, the schema (and
 * zod) only in check. Addresses are shared/address.ts's.
 */

/**
 * Managed role names: a lowercase letter, then lowercase letters, digits or underscores, at
 * most 64. Cassandra stores a name written without quotes in lowercase; the provider always
 * quotes, so the name it manages is exactly the one given.
 */
export const ROLE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
