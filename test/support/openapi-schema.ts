/**
 * Checks a JSON value against an OpenAPI 3.0 schema of a document: the subset the Promptgate
 * documents use (type, nullable, enum, required, properties, additionalProperties, items, allOf,
 * oneOf, $ref, format uuid and date-time, pattern, lengths and bounds). Returns the problems, each
 * with the JSON path of the value at fault; none means the value fits.
 */
export type OpenApiSchema = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function schemaProblems(document: OpenApiSchema, schema: OpenApiSchema, value: unknown, at = '$'): string[] {
  const resolve = (s: OpenApiSchema): OpenApiSchema => {
    if (typeof s.$ref !== 'string') return s;
    let target: unknown = document;
    for (const part of s.$ref.replace(/^#\//, '').split('/')) target = (target as Record<string, unknown>)[part];
    if (target === undefined) throw new Error(`unresolved $ref ${s.$ref}`);
    return resolve(target as OpenApiSchema);
  };
  const s = resolve(schema);
  if (value === null) return s.nullable === true || (s.allOf === undefined && s.type === undefined && s.oneOf === undefined) ? [] : [`${at}: null is not allowed`];
  const problems: string[] = [];
  for (const part of (s.allOf as OpenApiSchema[] | undefined) ?? []) problems.push(...schemaProblems(document, part, value, at));
  if (Array.isArray(s.oneOf)) {
    const fits = (s.oneOf as OpenApiSchema[]).filter((part) => schemaProblems(document, part, value, at).length === 0).length;
    if (fits !== 1) problems.push(`${at}: fits ${fits} of the oneOf schemas, not exactly one`);
  }
  if (Array.isArray(s.enum) && !s.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  switch (s.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [...problems, `${at}: not an object`];
      const record = value as Record<string, unknown>;
      const properties = (s.properties as Record<string, OpenApiSchema> | undefined) ?? {};
      for (const name of (s.required as string[] | undefined) ?? []) if (!(name in record)) problems.push(`${at}.${name}: missing`);
      for (const [name, field] of Object.entries(record)) {
        if (properties[name]) problems.push(...schemaProblems(document, properties[name], field, `${at}.${name}`));
        else if (s.additionalProperties === false) problems.push(`${at}.${name}: not a property of the schema`);
        else if (typeof s.additionalProperties === 'object') problems.push(...schemaProblems(document, s.additionalProperties as OpenApiSchema, field, `${at}.${name}`));
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) return [...problems, `${at}: not an array`];
      value.forEach((item, i) => problems.push(...schemaProblems(document, s.items as OpenApiSchema, item, `${at}[${i}]`)));
      break;
    case 'string':
      if (typeof value !== 'string') return [...problems, `${at}: not a string`];
      if (s.format === 'uuid' && !UUID.test(value)) problems.push(`${at}: not a uuid`);
      if (s.format === 'date-time' && !DATE_TIME.test(value)) problems.push(`${at}: not a date-time`);
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) problems.push(`${at}: does not match ${s.pattern}`);
      if (typeof s.minLength === 'number' && [...value].length < s.minLength) problems.push(`${at}: shorter than ${s.minLength}`);
      if (typeof s.maxLength === 'number' && [...value].length > s.maxLength) problems.push(`${at}: longer than ${s.maxLength}`);
      break;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (s.type === 'integer' && !Number.isInteger(value))) return [...problems, `${at}: not an ${String(s.type)}`];
      if (typeof s.minimum === 'number' && value < s.minimum) problems.push(`${at}: below ${s.minimum}`);
      if (typeof s.maximum === 'number' && value > s.maximum) problems.push(`${at}: above ${s.maximum}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${at}: not a boolean`);
      break;
  }
  return problems;
}
