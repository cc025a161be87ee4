/**
 * The entry point Pulumi's component provider host reads when another language asks for this package's
 * schema. The host's analyzer maps package.json `main` to a `.ts` file next to it; `main` is the compiled
 * dist/components/index.js, which has none, so the host falls back to this file. It exports exactly what
 * components/index exports, the API TypeScript consumers import.
 */
export * from "./components";
