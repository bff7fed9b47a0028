import type { Gen } from './mutate.ts';

/** One operation of the server's own OpenAPI document. */
export interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; required: boolean; schema: Schema }>;
  body: Schema | undefined;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  maxLength?: number;
  maximum?: number;
  minimum?: number;
  additionalProperties?: boolean | Schema;
  $ref?: string;
};

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
        requestBody?: { content?: Record<string, { schema?: Schema }> };
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  const resolve = (s: Schema | undefined): Schema | undefined => {
    if (!s?.$ref) return s;
    const name = s.$ref.split('/').at(-1)!;
    return doc.components?.schemas?.[name];
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required ?? false,
          schema: resolve(p.schema) ?? {},
        })),
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
      });
    }
  }
  return ops;
}

const BAD_STRINGS = [
  '',
  ' ',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '%00',
  '../../etc/passwd',
  "'; DROP TABLE messages; --",
  '<script>alert(1)</script>',
  '\u0000\u0001',
  '🙂'.repeat(50),
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
];

const BAD_CURSORS = [
  '',
  '!!!',
  'eyJ9',
  Buffer.from('{"seq":-1}').toString('base64url'),
  Buffer.from('{"seq":"x"}').toString('base64url'),
  'a'.repeat(3000),
  '9'.repeat(400),
  '-1',
  '0',
  '1.5',
  '99999999999999999999999',
];

function badValue(g: Gen, schema: Schema | undefined, name: string): unknown {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (/cursor|before|after/i.test(name) && g.chance(0.6)) return g.pick(BAD_CURSORS);
  switch (g.int(9)) {
    case 0:
      return type === 'string' ? g.int(1000) : 'a string';
    case 1:
      return type === 'number' || type === 'integer'
        ? g.pick([-1, 1.5, 2 ** 63, -(2 ** 53), 1e308, 'NaN', '12abc'])
        : null;
    case 2:
      return 'x'.repeat(g.pick([(schema?.maxLength ?? 100) + 1, 5000, 70_000]));
    case 3:
      return g.pick(BAD_STRINGS);
    case 4:
      return g.chance(0.5) ? [] : [g.pick(BAD_STRINGS), 1, null];
    case 5:
      return { nested: { deeper: [1, { a: 'b' }] }, __proto__: { admin: true } };
    case 6:
      return g.chance(0.5) ? true : false;
    case 7:
      return schema?.enum ? `${String(g.pick(schema.enum))}-not` : undefined;
    default:
      return deep(g.int(40));
  }
}

function deep(n: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = { d: v };
  return v;
}

function pathValue(g: Gen, schema: Schema): string {
  if (g.chance(0.3) && schema.format === 'uuid') return crypto.randomUUID(); // well-formed but unknown
  return encodeURIComponent(
    String(g.pick([...BAD_STRINGS.filter(Boolean), 'x'.repeat(g.pick([10, 300, 5000])), '-5', '0', '1.5'])),
  );
}

export interface RestRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** What was deliberately wrong with it. */
  mutation: string;
}

/**
 * A request built from an operation with at least one deliberate defect: a bad path parameter, a bad
 * query value, a body with a wrong type / unknown field / missing field / huge string, invalid JSON, a
 * wrong content type, or a broken token.
 */
export function badRequest(g: Gen, op: Operation, baseUrl: string, token: string): RestRequest {
  let mutation = '';
  let path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const p = op.params.find((x) => x.name === name && x.in === 'path');
    if (g.chance(0.5)) {
      mutation ||= `path ${name}`;
      return pathValue(g, p?.schema ?? {});
    }
    return p?.schema.format === 'uuid' ? crypto.randomUUID() : 'x';
  });
  const query = new URLSearchParams();
  for (const p of op.params.filter((x) => x.in === 'query')) {
    if (g.chance(0.6)) {
      query.set(p.name, String(badValue(g, p.schema, p.name) ?? ''));
      mutation ||= `query ${p.name}`;
    }
  }
  if (g.chance(0.15)) {
    query.set(`unknown_${g.int(100)}`, 'x');
    mutation ||= 'unknown query';
  }
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: string | undefined;
  if (op.body || op.method !== 'GET') {
    const props = Object.entries(op.body?.properties ?? {});
    const obj: Record<string, unknown> = {};
    for (const [name, schema] of props) obj[name] = g.chance(0.5) ? badValue(g, schema, name) : exampleOf(schema);
    const how = g.int(6);
    if (how === 0) {
      obj[`unknown_${g.int(1000)}`] = 'surprise';
      mutation ||= 'unknown field';
    } else if (how === 1 && props.length > 0) {
      delete obj[g.pick(props)[0]];
      mutation ||= 'missing field';
    } else if (how === 2) {
      mutation ||= 'huge body';
      obj.padding = 'z'.repeat(g.pick([10_000, 70_000]));
    }
    if (!mutation) {
      const name = props.length > 0 ? g.pick(props)[0] : 'field';
      obj[name] = badValue(g, undefined, name) ?? 12345;
      mutation = `bad ${name}`;
    }
    const encoding = g.int(12);
    if (encoding === 0) {
      body = '{"unterminated": ';
      mutation = 'invalid json';
    } else if (encoding === 1) {
      body = JSON.stringify(obj);
      headers['content-type'] = g.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
      ]);
      mutation = `content-type ${headers['content-type']}`;
    } else if (encoding === 2) {
      body = JSON.stringify(g.pick([[], 'a string', 42, null]));
      headers['content-type'] = 'application/json';
      mutation = 'body not an object';
    } else {
      body = JSON.stringify(obj);
      headers['content-type'] = 'application/json';
    }
    if (op.method === 'GET' || op.method === 'DELETE') {
      if (g.chance(0.7)) {
        body = undefined;
        delete headers['content-type'];
      }
    }
  }
  if (g.chance(0.08)) {
    headers.authorization = g.pick([
      'Bearer',
      'Bearer ',
      `Bearer ${token}x`,
      `Bearer ${token.split('.').reverse().join('.')}`,
      'Basic Zm9vOmJhcg==',
      `Bearer ${'a'.repeat(9000)}`,
    ]);
    mutation = `auth ${mutation}`;
  }
  if (!mutation) {
    path = `${path}/${g.pick(['..', '%2e%2e', 'extra'])}`;
    mutation = 'path suffix';
  }
  const qs = query.toString();
  return { method: op.method, url: `${baseUrl}${path}${qs ? `?${qs}` : ''}`, headers, body, mutation };
}

function exampleOf(schema: Schema): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.enum) return schema.enum[0];
  switch (type) {
    case 'string':
      return schema.format === 'uuid' ? crypto.randomUUID() : 'text';
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}
