/** The text of assembly/gemm/tiles.ts as the template generates it. */
export function generate(): string;
