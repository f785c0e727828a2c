import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * Dependency direction (../shared/STYLE.md): app → server → lib, app → lib; lib imports nothing
 * of ours but lib, and nothing of node:, React, Next or Prisma; server never imports app.
 * Import cycles fail the lint.
 */
const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', '.data/**', 'server/db/generated/**', 'bench/ref/**', 'next-env.d.ts', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'net', 'child_process'], message: 'lib/ is pure: no Node built-ins.' },
        {
          group: ['react', 'react-dom', 'react/*', 'next', 'next/*', '@xyflow/*', '@tanstack/*'],
          message: 'lib/ is pure: no UI frameworks.',
        },
        {
          group: ['@prisma/*', 'prisma', 'pg', '@electric-sql/*', 'pglite-prisma-adapter', 'ws'],
          message: 'lib/ is pure: no database or transport.',
        },
        {
          group: ['**/server/**', '**/app/**', '@/server/*', '@/app/*', '@/server', '@/app'],
          message: 'lib/ must not import server/ or app/.',
        },
      ]),
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        {
          group: ['**/app/**', '@/app/*', '@/app', 'react', 'react-dom', '@xyflow/*', '@tanstack/*'],
          message: 'server/ must not import app/ or UI code.',
        },
      ]),
    },
  },
  {
    files: ['app/**/*.tsx', 'app/_components/**/*.ts', 'app/_lib/**/*.ts'],
    ignores: ['app/**/page.tsx', 'app/**/layout.tsx'],
    rules: {
      'no-restricted-imports': restrict([
        {
          group: ['**/server/**', '@/server/*', '@/server'],
          message: 'Client code talks to the server over HTTP or the socket, never by import.',
        },
      ]),
    },
  },
  {
    files: ['scripts/**/*.mjs', '*.js', 'bench/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
