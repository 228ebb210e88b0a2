// Types of asc-inputs.mjs, for test/dev-loop.test.ts.
export function ascInputsHash(root: string, args: string, modules?: string): string;
