// Flat config: typescript-eslint (type-aware), react-hooks, and the bulletproof-react import
// boundaries: shared code (api, components, lib, testing) -> features -> app, and no feature
// imports another feature.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Relative imports may not climb out of a feature; everything shared goes through `@/`. */
const noClimbing = { group: ['../../*'], message: 'Import shared code through "@/…".' };

const featureBoundaries = features.map((feature) => ({
  files: [`src/features/${feature}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['@/features/*', `!@/features/${feature}`, `!@/features/${feature}/**`],
            message: 'Features do not import each other: move shared code to src/lib or src/components.',
          },
          { group: ['@/app', '@/app/*'], message: 'Features do not import the app layer.' },
          noClimbing,
        ],
      },
    ],
  },
}));

export default defineConfig(
  { ignores: ['dist', 'node_modules', 'test-results', 'public', 'src/api/schema.d.ts'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', 'vite.config.ts', 'scripts/*.mjs', 'e2e/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Never render raw HTML.',
        },
      ],
    },
  },
  {
    files: ['src/{api,components,lib,testing}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/features/*', '@/app', '@/app/*'], message: 'Shared code may not import features or the app.' },
          ],
        },
      ],
    },
  },
  featureBoundaries,
  {
    files: ['eslint.config.js', 'scripts/*.mjs', 'e2e/*.mjs', 'vite.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
);
