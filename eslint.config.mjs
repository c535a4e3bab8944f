// Lint for every TypeScript and JavaScript file of the repository. Formatting is prettier's;
// `npm run lint` runs both and fails on any warning.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bench/results/", "sdk/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // Prettier wraps code; comments and strings are outside its reach, so they get a limit too.
      "max-len": ["warn", { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Plain CommonJS: the benchmark's Pulumi programs and the npm scripts.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests, the harness and the benchmark read untyped JSON (state exports, server replies).
    files: ["test/**", "harness/**", "bench/**", "scripts/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Test titles, report lines and the scripts tests hand to a child process read best whole.
    files: ["test/**", "bench/**"],
    rules: {
      "max-len": [
        "warn",
        { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
      ],
    },
  },
);
