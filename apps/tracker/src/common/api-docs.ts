import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';

/** A 200 answer with one page of `model` items (the shape of common/pagination.ts's Page). */
export function ApiPage(model: Type, description = 'One page, and the number of matches before paging') {
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'total', 'page', 'pageSize'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(model) } },
          total: { type: 'integer', description: 'Matches before paging' },
          page: { type: 'integer' },
          pageSize: { type: 'integer' },
        },
      },
    }),
  );
}

/** A 200 answer that is a file or a page, not JSON. */
export function ApiFileResponse(mediaType: string, description: string) {
  const schema = mediaType.startsWith('text/') ? { type: 'string' } : { type: 'string', format: 'binary' };
  return ApiOkResponse({ description, content: { [mediaType]: { schema } } });
}
