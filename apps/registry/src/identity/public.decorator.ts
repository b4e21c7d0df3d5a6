import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'promptgate:is-public';

/** Marks a route (or controller) that answers without authentication. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
