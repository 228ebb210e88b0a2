/** The text of assembly/abi.ts as the tables generate it. */
export function generateAssembly(): string;
/** The text of src/abi.generated.ts as the tables generate it. */
export function generateTypeScript(): string;
