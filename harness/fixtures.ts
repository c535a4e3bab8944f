/** Values the demo, the tests and the benchmark share. */

/** The identity every new Milvus server starts with; each suite replaces its password first. */
export const MILVUS_DEFAULT_ROOT = Object.freeze({ username: "root", password: "Milvus" });
