import { ApiResponse } from '@nestjs/swagger';
import { pageSchemaName, ref, type PageItem } from './response-schemas.js';

/** The success answer of an operation: `status` with the JSON body of component schema `schema`. */
export const ApiAnswer = (status: 200 | 201 | 202, schema: string, description: string) =>
  ApiResponse({ status, description, content: { 'application/json': { schema: ref(schema) } } });

/** A list answer: `{items: [item...], next_cursor}`. */
export const ApiPage = (item: PageItem, description: string) =>
  ApiResponse({ status: 200, description, content: { 'application/json': { schema: ref(pageSchemaName(item)) } } });

/** `204`, no body. */
export const ApiNoContent = (description: string) => ApiResponse({ status: 204, description });
