import type { RegistryConfig } from '#config';

/** Injection token of the validated RegistryConfig: `@Inject(REGISTRY_CONFIG) config: RegistryConfig`. */
export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');
export type { RegistryConfig };
