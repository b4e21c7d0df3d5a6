export * from './email.js';
export * from './login-failures.js';
export * from './password.js';
