// The pack's own sources: ESLint's and typescript-eslint's recommended rules.
// (Generated code is checked where it lands: tsc --strict, prettier, ruff, mypy.)
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.cache/',
      '.venv*/',
      'examples/*/metrics/',
      'examples/*/node_modules/',
      'test/typescript/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_` marks what a destructuring leaves out on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Control characters are what these patterns look for (terminal and path safety).
      'no-control-regex': 'off',
    },
  },
);
