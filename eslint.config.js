import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { floorRules } from './eslint-floors.js';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.data', 'coverage', 'bench/results', 'public/js/vendor'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', document: 'readonly', window: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  { files: ['src/cli/**', 'bench/**', 'test/**', '.ci/**'], rules: { 'no-console': 'off' } },
  ...floorRules,
);
