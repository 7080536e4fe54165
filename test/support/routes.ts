import 'reflect-metadata';
import { ROUTE_ARGS_METADATA, PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getMetadataStorage } from 'class-validator';

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
}

/** "METHOD /path", the form route lists are compared in. */
export const routeName = (r: Route) => `${r.method} ${r.path}`;

/**
 * Every route the running app's Express router knows, sorted by "METHOD /path", so tests can prove they
 * cover all of them (including routes added later).
 */
export function listRoutes(
  app: NestExpressApplication,
  include: (path: string) => boolean = () => true,
): Route[] {
  const router = app.getHttpAdapter().getInstance().router as {
    stack: { route?: { path: unknown; methods: Record<string, boolean> } }[];
  };
  const out = new Map<string, Route>();
  for (const layer of router.stack) {
    const path = layer.route?.path;
    if (typeof path !== 'string' || !include(path)) continue;
    for (const [m, on] of Object.entries(layer.route!.methods)) {
      if (!on || m === '_all') continue;
      const route = { method: m.toUpperCase() as Route['method'], path };
      out.set(routeName(route), route);
    }
  }
  return [...out.keys()].sort().map((k) => out.get(k)!);
}

/** A DTO field and the class-validator rules on it (isInt, isString, isISO8601, ...). */
export interface DtoField {
  name: string;
  rules: string[];
}

/** What a handler takes from the query string and the body: the DTO fields, when it declares a DTO. */
export interface RouteInputs {
  query?: DtoField[];
  body?: DtoField[];
  /** The handler takes uploaded files (multipart/form-data). */
  files?: true;
}

/**
 * The query and body DTOs of every controller handler, keyed "METHOD /path" like listRoutes, read from
 * Nest's decorator metadata (so inputs can be aimed at the fields a route really validates).
 */
export function routeInputs(app: NestExpressApplication): Map<string, RouteInputs> {
  const out = new Map<string, RouteInputs>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...a: unknown[]) => unknown) | null;
      if (!ctrl) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, ctrl) ?? ''].flat()[0] as string;
      for (const key of Object.getOwnPropertyNames(ctrl.prototype)) {
        const handler = ctrl.prototype[key] as unknown;
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const types = (Reflect.getMetadata('design:paramtypes', ctrl.prototype, key) ?? []) as unknown[];
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, key) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const inputs: RouteInputs = {};
        for (const [k, a] of Object.entries(args)) {
          const kind = Number(k.split(':')[0]);
          if (kind === RouteParamtypes.FILE || kind === RouteParamtypes.FILES) inputs.files = true;
          const dto = a.data === undefined ? types[a.index] : undefined;
          if (typeof dto !== 'function' || dto === Object) continue;
          if (kind === RouteParamtypes.QUERY) inputs.query = dtoFields(dto);
          if (kind === RouteParamtypes.BODY) inputs.body = dtoFields(dto);
        }
        for (const sub of [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[]) {
          const path = `/${[base, sub].filter(Boolean).join('/')}`
            .replace(/\/+/g, '/')
            .replace(/(.)\/$/, '$1');
          out.set(`${RequestMethod[method]} ${path}`, inputs);
        }
      }
    }
  }
  return out;
}

function dtoFields(dto: Function): DtoField[] {
  const fields = new Map<string, Set<string>>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const rules = fields.get(m.propertyName) ?? new Set<string>();
    rules.add(m.name ?? m.type);
    fields.set(m.propertyName, rules);
  }
  return [...fields].map(([name, rules]) => ({ name, rules: [...rules] }));
}
