/**
 * The field tables of the docs (the Registry's pages, and any page that marks one), made from
 * the resource specs: each table stands between a `<!-- fields:<Resource>:<inputs|outputs> -->`
 * line and `<!-- /fields -->`, and `npm run gen-sdk` rewrites what is between them.
 */
import { FieldSpec, FieldType, ResourceSpec } from "../../provider/shared/spec";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n+/g, " ");

function typeName(type: FieldType, secret?: boolean): string {
  const base = typeof type !== "object" ? type : "array" in type ? `list of ${typeName(type.array)}` : "object";
  return secret ? `secret ${base}` : base;
}

function rows(fields: Record<string, FieldSpec>, spec: ResourceSpec, prefix = ""): string[] {
  const out: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    const def = field.required ? "required" : (field.default ?? "–");
    out.push(
      `| \`${prefix}${name}\` | ${typeName(field.type, field.secret)} | ${cell(def)} | ${cell(field.description)} |`,
    );
    if (typeof field.type === "object" && "object" in field.type)
      out.push(...rows(spec.types[field.type.object].properties, spec, `${name}.`));
  }
  return out;
}

/** The Markdown table of a resource's inputs or outputs. */
export function fieldTable(spec: ResourceSpec, which: "inputs" | "outputs"): string {
  if (which === "inputs") {
    return ["| input | type | default | meaning |", "|---|---|---|---|", ...rows(spec.inputs, spec)].join("\n");
  }
  const lines = Object.entries(spec.outputs).map(
    ([name, f]) => `| \`${name}\` | ${typeName(f.type, f.secret)} | ${cell(f.description)} |`,
  );
  return ["| output | type | meaning |", "|---|---|---|", ...lines].join("\n");
}

const MARKER = /<!-- fields:(\w+):(inputs|outputs) -->\n[\s\S]*?<!-- \/fields -->/g;

/** `page` with every marked table made anew from `specs`; throws on a marker naming no resource. */
export function withFieldTables(page: string, specs: ResourceSpec[]): string {
  return page.replace(MARKER, (_all, name: string, which: "inputs" | "outputs") => {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new Error(`a page names fields of ${name}, which is no resource`);
    return `<!-- fields:${name}:${which} -->\n${fieldTable(spec, which)}\n<!-- /fields -->`;
  });
}
