import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  ApiProperty,
  DECORATORS,
  DocumentBuilder,
  getSchemaPath,
  type OpenAPIObject,
  type ResponseObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { IS_PUBLIC } from '@app/auth';
import { MeetingDto, MonthPointDto, ScopeRequirementCellDto } from '../compliance/dto/compliance-view.dto';
import { YearCellDto } from '../reports/dto/province-year.dto';
import { LeagueMeetingDto } from '../compliance/dto/league.dto';
import metadata from '../metadata';
import { ErrorBodyDto } from './responses.dto';

/** Where the document is served: Swagger UI here, the JSON at `${DOCS_PATH}-json`. */
const DOCS_PATH = 'api/docs';

/**
 * Serves the OpenAPI document of the JSON API (`/api/...`; pages, /health and /metrics are not part of
 * it). Types, required fields and descriptions come from the @nestjs/swagger plugin metadata generated
 * into src/metadata.ts (`npm run openapi:metadata`); the bounds, enums and formats from the
 * class-validator rules the app really applies; the error answers from each route's guards.
 */
export async function setupApiDocs(app: NestExpressApplication): Promise<void> {
  await SwaggerModule.loadPluginMetadata(metadata);
  const routes = describeRoutes(app);
  const config = new DocumentBuilder()
    .setTitle('Standardization demonstration compliance tracker')
    .setDescription(
      'Sign in with POST /api/v1/auth/login. Scripts send the returned token as `Authorization: Bearer`; ' +
        'browsers get the `sid` cookie and send the returned csrfToken as the `x-csrf-token` header ' +
        'with every request that changes something. Every error answer has the ErrorBodyDto shape.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'The token from POST /api/v1/auth/login',
      },
      'bearer',
    )
    .addCookieAuth(
      'sid',
      { type: 'apiKey', in: 'cookie', description: 'Session cookie set at sign-in' },
      'cookie',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'x-csrf-token',
        description: 'With the cookie, for POST, PUT, PATCH and DELETE',
      },
      'csrf',
    )
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () =>
    completeDocument(
      SwaggerModule.createDocument(app, config, {
        extraModels: [
          ErrorBodyDto,
          MonthPointDto,
          ScopeRequirementCellDto,
          MeetingDto,
          YearCellDto,
          LeagueMeetingDto,
        ],
      }),
      routes,
    ),
  );
}

interface RouteFacts {
  isPublic: boolean;
}

/**
 * Per controller handler (keyed like swagger's operationIds, `Controller_method`): whether it needs a
 * sign-in. Also describes every DTO the handlers take by its class-validator rules.
 */
function describeRoutes(app: NestExpressApplication): Map<string, RouteFacts> {
  const out = new Map<string, RouteFacts>();
  const seen = new Set<Function>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...a: unknown[]) => unknown) | null;
      if (!ctrl) continue;
      for (const key of Object.getOwnPropertyNames(ctrl.prototype)) {
        const handler = ctrl.prototype[key] as unknown;
        if (key === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const isPublic = Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, ctrl);
        out.set(`${ctrl.name}_${key}`, { isPublic: !!isPublic });
        const types = (Reflect.getMetadata('design:paramtypes', ctrl.prototype, key) ?? []) as unknown[];
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, key) ?? {}) as Record<
          string,
          { index: number }
        >;
        for (const [k, a] of Object.entries(args)) {
          const kind = Number(k.split(':')[0]);
          const dto = types[a.index];
          if (![RouteParamtypes.BODY, RouteParamtypes.QUERY, RouteParamtypes.PARAM].includes(kind)) continue;
          if (typeof dto === 'function') describeRules(dto, seen);
        }
      }
    }
  }
  return out;
}

type PropertyOptions = Record<string, unknown> & { items?: Record<string, unknown> };

/**
 * Adds a DTO's validation rules (and those of its nested DTOs) to its properties' schemas, so the
 * document states exactly what the ValidationPipe checks. Explicit @ApiProperty options win.
 */
function describeRules(dto: Function, seen: Set<Function>): void {
  if (seen.has(dto) || [String, Number, Boolean, Object, Array].includes(dto as never)) return;
  seen.add(dto);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  }
  for (const [property, rules] of byProperty) {
    const options: PropertyOptions = {};
    const items: Record<string, unknown> = {};
    for (const m of rules) {
      if (m.type === 'conditionalValidation') options.required = false;
      const rule = ruleSchema(m.name ?? m.type, m.constraints ?? []);
      if (rule) Object.assign(m.each ? items : options, rule);
    }
    if (Object.keys(items).length) {
      options.type = 'array';
      options.items = { type: items.enum ? 'string' : 'number', ...items };
    }
    if (Object.keys(options).length) {
      const explicit = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, property);
      ApiProperty({ ...options, ...explicit })(dto.prototype, property);
    }
    const nested = declaredType(dto, property);
    if (nested) describeRules(nested, seen);
  }
}

/** The class a property holds (or holds a list of), as the plugin metadata or @ApiProperty declares it. */
function declaredType(dto: Function, property: string): Function | null {
  for (let c = dto; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    // Set on each class by SwaggerModule.loadPluginMetadata.
    const plugin = (c as { _OPENAPI_METADATA_FACTORY?: () => Record<string, { type?: unknown }> })
      ._OPENAPI_METADATA_FACTORY;
    let type =
      plugin?.()[property]?.type ??
      Reflect.getOwnMetadata(DECORATORS.API_MODEL_PROPERTIES, c.prototype, property)?.type;
    if (typeof type === 'function' && !type.prototype) type = type(); // () => Type
    if (Array.isArray(type)) type = type[0];
    if (typeof type === 'function' && type.prototype) return type;
  }
  return null;
}

/** The OpenAPI keywords of one class-validator rule (rules without one, e.g. isCreditCode, add nothing). */
function ruleSchema(rule: string, c: unknown[]): Record<string, unknown> | null {
  switch (rule) {
    case 'isInt':
      return { type: 'integer' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'min':
      return { minimum: c[0] };
    case 'max':
      return { maximum: c[0] };
    case 'minLength':
      return { minLength: c[0] };
    case 'maxLength':
      return { maxLength: c[0] };
    case 'isIn':
      return { enum: [...(c[0] as unknown[])] };
    case 'isEmail':
      return { format: 'email' };
    case 'isUrl':
      return { format: 'uri' };
    case 'isISO8601':
      return { format: 'date' };
    case 'matches':
      return c[0] instanceof RegExp ? { pattern: c[0].source } : null;
    case 'arrayMinSize':
      return { minItems: c[0] };
    case 'arrayMaxSize':
      return { maxItems: c[0] };
    case 'arrayUnique':
      return { uniqueItems: true };
    default:
      return null;
  }
}

const ERRORS: Record<number, string> = {
  400: 'Refused input: the fields and rules are listed in `errors`',
  401: 'Not signed in, or the session has ended',
  403: 'The role may not do this, the record is outside the caller’s scope, or the x-csrf-token header is missing',
  404: 'No such record in the caller’s scope',
  409: 'The record’s state does not allow this (e.g. already submitted)',
  413: 'A file is larger than allowed',
  429: 'Too many attempts (sign-in) or uploads in progress; wait for the seconds in Retry-After',
  503: 'Busy: no database connection free in time; retry after the seconds in Retry-After',
};

/**
 * Keeps only the JSON API, and adds to every operation the error answers its route can give, all with
 * the one error body (ErrorBodyDto), and the security it needs.
 */
function completeDocument(doc: OpenAPIObject, routes: Map<string, RouteFacts>): OpenAPIObject {
  const errorBody = { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } };
  for (const path of Object.keys(doc.paths)) {
    if (!path.startsWith('/api/')) {
      delete doc.paths[path];
      continue;
    }
    for (const [method, op] of Object.entries(doc.paths[path])) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const facts = routes.get(op.operationId ?? '');
      const changes = method !== 'get';
      const codes = [400, 503];
      // 403: a role or scope that does not allow it, or a cookie session without its CSRF token.
      if (!facts?.isPublic) codes.push(401, 403);
      if (path.includes('{')) codes.push(404);
      // Signing in and out and the caller's language change no record another change could clash with.
      if (changes && !path.startsWith('/api/v1/auth/')) codes.push(409);
      if (op.requestBody && 'content' in op.requestBody && op.requestBody.content['multipart/form-data']) {
        // Uploads: too large a file; a third upload in progress for the same user (UploadSlot).
        codes.push(413, 429);
      }
      for (const code of codes) op.responses[code] ??= { description: ERRORS[code] };
      for (const [code, response] of Object.entries(op.responses) as [string, ResponseObject][]) {
        if (code.startsWith('2')) response.description ||= code === '201' ? 'Created' : 'OK';
        if (Number(code) >= 400 && !response.content) {
          Object.assign(response, {
            description: response.description || ERRORS[Number(code)],
            content: errorBody,
          });
        }
      }
      op.security = facts?.isPublic
        ? []
        : [{ bearer: [] }, changes ? { cookie: [], csrf: [] } : { cookie: [] }];
      // Path ids are integers (the pipes refuse anything else).
      for (const p of op.parameters ?? []) {
        if ('in' in p && p.in === 'path' && p.schema && 'type' in p.schema && p.schema.type === 'number') {
          p.schema.type = 'integer';
        }
      }
    }
  }
  // The plugin puts the bounds of `each` rules (e.g. ids: Min(1, { each: true })) on the array itself;
  // describeRules has put them on its items.
  for (const schema of Object.values(doc.components?.schemas ?? {})) {
    for (const prop of Object.values(('properties' in schema && schema.properties) || {})) {
      if ('type' in prop && prop.type === 'array') {
        for (const k of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) delete prop[k];
      }
    }
  }
  return doc;
}
