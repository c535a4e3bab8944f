/**
 * Regions, project ids and public endpoints, without zod: the provider host needs them on
 * every operation, the schema (and zod) only in check.
 */

/**
 * Huawei Cloud regions with a public GeminiDB endpoint: the regions Huawei's official SDK lists
 * for the service (`@huaweicloud/huaweicloud-sdk-gaussdbfornosql` 3.1.215, GaussDBforNoSQLRegion,
 * every endpoint `https://gaussdb-nosql.{region}.myhuaweicloud.com`, `.eu` for eu-west-101).
 * Others need `endpoint`.
 */
export const KNOWN_REGIONS = [
  "af-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "cn-east-2",
  "cn-east-3",
  "cn-east-4",
  "cn-north-1",
  "cn-north-2",
  "cn-north-4",
  "cn-north-9",
  "cn-north-11",
  "cn-south-1",
  "cn-south-2",
  "cn-south-4",
  "cn-southwest-2",
  "cn-southwest-3",
  "eu-west-101",
  "la-north-2",
  "la-south-2",
  "me-east-1",
  "ru-moscow-1",
  "ru-northwest-2",
  "sa-brazil-1",
  "tr-west-1",
] as const;

/** Region names such as eu-west-101 or cn-north-4. */
export const REGION = /^[a-z]{2,}(?:-[a-z]+)+-\d{1,3}$/;
/** GeminiDB instance ids: 32 hex characters, "in", two digits (e.g. ...dae8in06). */
export const INSTANCE_ID = /^[0-9a-f]{32}in\d{2}$/;
/** Project ids: 32 lowercase hex characters. */
export const PROJECT_ID = /^[0-9a-f]{32}$/;

/** The public GeminiDB endpoint of a region. */
export function defaultEndpoint(region: string): string {
  return region === "eu-west-101"
    ? `https://gaussdb-nosql.${region}.myhuaweicloud.eu`
    : `https://gaussdb-nosql.${region}.myhuaweicloud.com`;
}

/** The public IAM endpoint of a region. */
export function defaultIamEndpoint(region: string): string {
  return region === "eu-west-101"
    ? `https://iam.${region}.myhuaweicloud.eu`
    : `https://iam.${region}.myhuaweicloud.com`;
}
