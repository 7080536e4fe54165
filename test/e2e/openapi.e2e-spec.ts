import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { listRoutes, routeInputs, routeName, type RouteInputs } from '../support/routes';
import { activityPayload, auth, makeUnit, makeUser, minimalPdf } from '../fixtures/evidence/world';
import { unitCsv, unitPayload } from '../fixtures/units';

/*
 * The OpenAPI document at /api/docs-json describes the whole JSON API: every route of the running app
 * under /api/v1 (found from the router, so routes added later are covered), its path and query
 * parameters and body fields with the rules the app applies (read from the same class-validator
 * metadata), a described success answer, and the one error body. No OpenAPI validator is installed,
 * so the document's structure is checked here: references resolve, operation ids are unique, path
 * parameters are required and declared. Real answers of the main resources are checked against the
 * schemas the document gives for them.
 */

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  required?: string[];
  nullable?: boolean;
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
};
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: Schema }> }>;
  security?: Record<string, string[]>[];
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, string>> };
}

const API = (path: string) => path.startsWith('/api/v1/');
const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** class-validator rule → what the document must say about the field. */
const RULE_KEYWORDS: Record<string, (s: Schema) => boolean> = {
  isIn: (s) => Array.isArray(s.enum ?? s.items?.enum) && (s.enum ?? s.items!.enum)!.length > 0,
  isInt: (s) => s.type === 'integer' || s.items?.type === 'integer',
  isBoolean: (s) => s.type === 'boolean',
  min: (s) => typeof (s.minimum ?? s.items?.minimum) === 'number',
  max: (s) => typeof (s.maximum ?? s.items?.maximum) === 'number',
  minLength: (s) => typeof s.minLength === 'number',
  maxLength: (s) => typeof s.maxLength === 'number',
  isEmail: (s) => s.format === 'email',
  isISO8601: (s) => s.format === 'date',
  matches: (s) => typeof s.pattern === 'string',
  arrayMaxSize: (s) => typeof s.maxItems === 'number',
  arrayMinSize: (s) => typeof s.minItems === 'number',
};

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let inputs: Map<string, RouteInputs>;

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.http.get('/api/docs-json').expect(200);
    doc = res.body as Document;
    inputs = routeInputs(t.app);
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, path, op })),
    );
  /** The schema a reference (or a described reference, `allOf: [ref]`) stands for. */
  const resolve = (s: Schema): Schema => {
    if (s.allOf?.length === 1) return { ...resolve(s.allOf[0]), ...(s.nullable ? { nullable: true } : {}) };
    if (!s.$ref) return s;
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved ${s.$ref}`);
    return resolve(target);
  };

  it('lists every API route, and nothing else (no pages, /health, /metrics)', () => {
    const routes = listRoutes(t.app, API).map((r) => `${r.method} ${toOpenApiPath(r.path)}`);
    expect(routes.length).toBeGreaterThan(30);
    expect(
      operations()
        .map((o) => o.name)
        .sort(),
    ).toEqual(routes.sort());
  });

  it('is well-formed: every reference resolves, operation ids are unique, path parameters are declared', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    const broken = refs
      .map((r) => r.slice(8, -1))
      .filter((ref) => !ref.startsWith('#/components/schemas/') || !doc.components.schemas[ref.slice(21)]);
    expect(broken).toEqual([]);
    const ids = operations().map((o) => o.op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const problems: string[] = [];
    for (const { name, path, op } of operations()) {
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const p of inPath) {
        const param = declared.find((d) => d.name === p);
        if (!param) problems.push(`${name}: path parameter ${p} is not declared`);
        else if (!param.required || !param.schema?.type)
          problems.push(`${name}: ${p} has no type or is optional`);
      }
      for (const d of declared)
        if (!inPath.includes(d.name)) problems.push(`${name}: ${d.name} is not in the path`);
      for (const p of op.parameters ?? []) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in) || !p.schema) {
          problems.push(`${name}: parameter ${p.name} has no schema or a wrong location`);
        }
      }
      for (const code of Object.keys(op.responses)) {
        if (!/^[1-5]\d\d$/.test(code)) problems.push(`${name}: response ${code}`);
        if (typeof op.responses[code].description !== 'string') problems.push(`${name}: ${code} undescribed`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares every query DTO field of a route as a query parameter, with its rules', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const route of listRoutes(t.app, API)) {
      const fields = inputs.get(routeName(route))?.query;
      if (!fields) continue;
      const op = doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];
      const params = (op?.parameters ?? []).filter((p) => p.in === 'query');
      if (fields.length && !params.length) problems.push(`${routeName(route)}: no query parameters declared`);
      for (const f of fields) {
        const param = params.find((p) => p.name === f.name);
        if (!param) {
          problems.push(`${routeName(route)}: query ${f.name} is not declared`);
          continue;
        }
        checked++;
        for (const rule of f.rules) {
          if (RULE_KEYWORDS[rule] && !RULE_KEYWORDS[rule](param.schema ?? {})) {
            problems.push(`${routeName(route)}: query ${f.name} does not state its rule ${rule}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('describes every JSON request body by its properties, with the DTO fields and their rules', () => {
    const problems: string[] = [];
    let bodies = 0;
    for (const route of listRoutes(t.app, API)) {
      const op = doc.paths[toOpenApiPath(route.path)][route.method.toLowerCase()];
      const json = op.requestBody?.content['application/json'];
      const fields = inputs.get(routeName(route))?.body;
      if (fields?.length && !json) problems.push(`${routeName(route)}: body DTO but no JSON request body`);
      if (!json) continue;
      bodies++;
      const schema = resolve(json.schema);
      if (!schema.properties || !Object.keys(schema.properties).length) {
        problems.push(`${routeName(route)}: request body schema has no properties`);
        continue;
      }
      for (const f of fields ?? []) {
        const prop = schema.properties[f.name];
        if (!prop) {
          problems.push(`${routeName(route)}: body field ${f.name} is not described`);
          continue;
        }
        const resolved = resolve(prop);
        for (const rule of f.rules) {
          if (RULE_KEYWORDS[rule] && !RULE_KEYWORDS[rule](resolved)) {
            problems.push(`${routeName(route)}: body field ${f.name} does not state its rule ${rule}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(bodies).toBeGreaterThan(10);
  });

  it('describes uploads as multipart/form-data with binary fields', () => {
    const uploads = listRoutes(t.app, API).filter((r) => inputs.get(routeName(r))?.files);
    expect(uploads.length).toBeGreaterThanOrEqual(2);
    for (const route of uploads) {
      const op = doc.paths[toOpenApiPath(route.path)][route.method.toLowerCase()];
      const form = op.requestBody?.content['multipart/form-data'];
      expect({ route: routeName(route), form: !!form }).toEqual({ route: routeName(route), form: true });
      const props = Object.values(resolve(form!.schema).properties ?? {}).map(resolve);
      const binary = props.some((p) => p.format === 'binary' || p.items?.format === 'binary');
      expect({ route: routeName(route), binary }).toEqual({ route: routeName(route), binary: true });
      // Too large a file; a third upload in progress for the same user.
      expect({ route: routeName(route), codes: ['413', '429'].filter((c) => op.responses[c]) }).toEqual({
        route: routeName(route),
        codes: ['413', '429'],
      });
    }
  });

  it('gives every operation a described success answer', () => {
    const problems: string[] = [];
    for (const { name, op } of operations()) {
      const ok = Object.entries(op.responses).filter(([code]) => code.startsWith('2'));
      if (!ok.length) problems.push(`${name}: no 2xx response`);
      for (const [code, r] of ok) {
        if (code === '204') continue;
        const media = Object.entries(r.content ?? {});
        if (!media.length) problems.push(`${name}: ${code} has no content`);
        for (const [type, { schema }] of media) {
          if (!schema) problems.push(`${name}: ${code} ${type} has no schema`);
          else if (type === 'application/json') {
            const s = resolve(schema.type === 'array' && schema.items ? schema.items : schema);
            if (!s.properties || !Object.keys(s.properties).length) {
              problems.push(`${name}: ${code} JSON answer has no properties`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes the error body once and attaches it to the error answers', () => {
    const error = doc.components.schemas.ErrorBodyDto;
    expect(Object.keys(error.properties ?? {}).sort()).toEqual(
      ['error', 'errors', 'message', 'messageZh', 'statusCode'].sort(),
    );
    const field = resolve(error.properties!.errors.items!);
    expect(Object.keys(field.properties ?? {})).toEqual(expect.arrayContaining(['field', 'rule', 'message']));
    const problems: string[] = [];
    for (const { name, path, op } of operations()) {
      const codes = Object.keys(op.responses);
      const needed = [
        '400',
        ...(op.security?.length ? ['401', '403'] : []),
        ...(path.includes('{') ? ['404'] : []),
      ];
      for (const c of needed) if (!codes.includes(c)) problems.push(`${name}: no ${c}`);
      for (const c of codes.filter((c) => Number(c) >= 400)) {
        const ref = op.responses[c].content?.['application/json']?.schema?.$ref;
        if (ref !== '#/components/schemas/ErrorBodyDto') problems.push(`${name}: ${c} is not the error body`);
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(doc.paths['/api/v1/auth/login'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '429']),
    );
  });

  it('describes bearer tokens, the session cookie and the CSRF header, and which operations need them', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'sid' });
    expect(schemes.csrf).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-csrf-token' });
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/units'].get.security).toEqual([{ bearer: [] }, { cookie: [] }]);
    expect(doc.paths['/api/v1/units'].post.security).toEqual([{ bearer: [] }, { cookie: [], csrf: [] }]);
  });

  /** Where `value` departs from `schema`: missing or undocumented fields, wrong types, values off the enum. */
  function departures(value: unknown, schema: Schema, at: string): string[] {
    const s = resolve(schema);
    if (value === null) return s.nullable ? [] : [`${at}: null but not nullable`];
    if (s.enum && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of the enum`];
    switch (s.type) {
      case 'integer':
        return Number.isInteger(value) ? [] : [`${at}: not an integer`];
      case 'number':
        return typeof value === 'number' ? [] : [`${at}: not a number`];
      case 'string':
        return typeof value === 'string' ? [] : [`${at}: not a string`];
      case 'boolean':
        return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
      case 'array':
        if (!Array.isArray(value)) return [`${at}: not an array`];
        return value.flatMap((v, i) => departures(v, s.items!, `${at}[${i}]`));
    }
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
    const obj = value as Record<string, unknown>;
    const out = (s.required ?? []).filter((k) => !(k in obj)).map((k) => `${at}.${k}: missing`);
    for (const [k, v] of Object.entries(obj)) {
      const prop = s.properties?.[k];
      if (prop) out.push(...departures(v, prop, `${at}.${k}`));
      else if (typeof s.additionalProperties === 'object') {
        out.push(...departures(v, s.additionalProperties, `${at}.${k}`));
      } else if (!s.additionalProperties) out.push(`${at}.${k}: not in the document`);
    }
    return out;
  }

  it('real answers of the main resources match their documented schemas', async () => {
    const checked = new Set<string>();
    const problems: string[] = [];
    /** Sends, expects `status`, and checks the body against the operation's schema for that status. */
    async function answer(
      method: 'get' | 'post' | 'patch' | 'put',
      path: string,
      token: string,
      status: number,
      send?: (r: ReturnType<TestApp['http']['get']>) => ReturnType<TestApp['http']['get']>,
    ) {
      let req = t.http[method](path).set(auth(token));
      if (send) req = send(req);
      const res = await req;
      expect({ path, status: res.status, body: res.status === status ? null : res.body }).toEqual({
        path,
        status,
        body: null,
      });
      const bare = path.split('?')[0];
      const template =
        Object.keys(doc.paths).find((p) => p === bare) ??
        Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare));
      const schema = doc.paths[template!]?.[method]?.responses[status]?.content?.['application/json']?.schema;
      if (!schema) problems.push(`${method} ${path}: no schema for ${status}`);
      else problems.push(...departures(res.body, schema, `${method.toUpperCase()} ${template}`));
      checked.add(`${method} ${template}`);
      return res.body;
    }

    const login = (email: string, password: string) =>
      answer('post', '/api/v1/auth/login', '', 200, (r) => r.send({ email, password }));
    const admin = (await login(ADMIN.email, ADMIN.password)).token as string;
    await answer('get', '/api/v1/auth/me', admin, 200);
    await answer('patch', '/api/v1/auth/me', admin, 200, (r) => r.send({ locale: 'en' }));
    const unit = await answer('post', '/api/v1/units', admin, 201, (r) => r.send(unitPayload()));
    await answer('get', `/api/v1/units/${unit.id}`, admin, 200);
    await answer('patch', `/api/v1/units/${unit.id}`, admin, 200, (r) => r.send({ industry: '现代物流' }));
    await answer('put', `/api/v1/units/${unit.id}/targets`, admin, 200, (r) => r.send({ targets: [] }));
    await answer('get', `/api/v1/units/${unit.id}/targets`, admin, 200);
    await answer('post', '/api/v1/units/import?dryRun=true', admin, 200, (r) =>
      r.attach('file', unitCsv([['名称'], ['x']]), 'units.csv'),
    );

    const own = await makeUnit(t, { contacts: [{ name: '张三', email: 'contact@example.cn' }] });
    const unitUser = await makeUser(t, admin, {
      email: 'openapi-unit@example.cn',
      role: 'unit',
      unitId: own.id,
    });
    await answer('get', '/api/v1/users', admin, 200);
    const activity = await answer('post', '/api/v1/activities', unitUser, 201, (r) =>
      r.send(activityPayload('exchange_events')),
    );
    await answer('post', `/api/v1/activities/${activity.id}/evidence`, unitUser, 201, (r) =>
      r.attach('files', minimalPdf(), 'a.pdf'),
    );
    await answer('get', `/api/v1/activities/${activity.id}/evidence`, unitUser, 200);
    await answer('post', `/api/v1/activities/${activity.id}/submit`, unitUser, 200);
    await answer('get', `/api/v1/activities/${activity.id}`, unitUser, 200);
    await answer('get', '/api/v1/activities', unitUser, 200);
    await answer('get', '/api/v1/reviews/queue', admin, 200);
    await answer('post', '/api/v1/reviews/bulk', admin, 200, (r) =>
      r.send({ ids: [activity.id, 2_000_000], action: 'verify' }),
    );

    await answer('get', `/api/v1/units/${own.id}/compliance`, admin, 200);
    await answer('get', '/api/v1/compliance', admin, 200);
    await answer('get', '/api/v1/compliance/trend', admin, 200);
    await answer('get', '/api/v1/rule-sets', admin, 200);

    const period = new Date().toISOString().slice(0, 7);
    await answer('post', '/api/v1/reports/runs', admin, 201, (r) => r.send({ period }));
    await answer('get', '/api/v1/reports/runs', admin, 200);
    const outbox = await answer('get', '/api/v1/outbox', admin, 200);
    expect(outbox.items.length).toBeGreaterThan(0);
    await answer('get', `/api/v1/outbox/${outbox.items[0].id}`, admin, 200);
    await answer('get', '/api/v1/audit', admin, 200);
    const bad = await answer('get', '/api/v1/units?pageSize=0', admin, 400);
    expect(bad.errors[0]).toMatchObject({ field: 'pageSize', rule: 'min' });

    expect(problems).toEqual([]);
    expect(checked.size).toBeGreaterThan(25);
  });

  it('the Swagger UI is served', async () => {
    const res = await t.http.get('/api/docs/').expect(200);
    expect(res.text).toContain('swagger');
  });
});
