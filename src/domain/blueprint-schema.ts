// Validation of a blueprint's `spec` against its definition's schema (OBJECTS §20): the small
// JSON-schema subset Go implements — top-level `required`, and per property `type`, `enum`,
// nested `properties` of objects and `items` of arrays. Keys without a property schema are
// not checked. Error texts follow Go's (`field 'a.b[0]' must be a string, got float64`).
// Superset: Go's validator ignores `type: "integer"`; we check it (a whole number).
import type { SchemaProperty, ValidationSchema } from '../protocol/objects.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Go's %T of a value decoded by encoding/json into interface{}. */
function goType(v: Json): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's %v of such a value. */
function goValue(v: Json): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

function sameJson(a: Json, b: Json): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    return (typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint') && String(a) === String(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return a === b;
}

function typeError(path: string, value: Json, type: string): string | null {
  const ok = (() => {
    switch (type) {
      case 'string':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number' || typeof value === 'bigint';
      case 'integer':
        return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
      case 'boolean':
        return typeof value === 'boolean';
      case 'object':
        return isObject(value);
      case 'array':
        return Array.isArray(value);
      default:
        return true; // unknown types are not checked (as in Go)
    }
  })();
  if (ok) return null;
  const article = type === 'object' || type === 'array' || type === 'integer' ? 'an' : 'a';
  return `field '${path}' must be ${article} ${type}, got ${goType(value)}`;
}

function checkValue(path: string, value: Json, prop: SchemaProperty): string | null {
  if (prop.type) {
    const err = typeError(path, value, prop.type);
    if (err) return err;
  }
  if (prop.type === 'array' && prop.items && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const err = checkValue(`${path}[${i}]`, value[i], prop.items);
      if (err) return err;
    }
  }
  if (prop.enum && prop.enum.length > 0 && !prop.enum.some((e) => sameJson(e, value))) {
    return `field '${path}' must be one of ${goValue(prop.enum)}, got ${goValue(value)}`;
  }
  if (prop.type === 'object' && prop.properties && isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const nested = prop.properties[k];
      if (!nested) continue;
      const err = checkValue(`${path}.${k}`, v, nested);
      if (err) return err;
    }
  }
  return null;
}

/** Returns the first violation as Go words it, or null when `spec` conforms. */
export function validateSpec(spec: Record<string, Json> | null, schema: ValidationSchema | null | undefined): string | null {
  if (!schema) return null;
  const data = spec ?? {};
  for (const req of schema.required ?? []) {
    if (!Object.prototype.hasOwnProperty.call(data, req)) return `required field '${req}' is missing`;
  }
  const props = schema.properties ?? {};
  for (const [k, v] of Object.entries(data)) {
    const prop = props[k];
    if (!prop) continue;
    const err = checkValue(k, v, prop);
    if (err) return err;
  }
  return null;
}

/** Deep equality of two specs (JSON values), used to decide whether an update bumps the generation. */
export function sameSpec(a: Record<string, Json> | null, b: Record<string, Json> | null): boolean {
  return sameJson(a ?? {}, b ?? {});
}
