/** The text of assembly/dwconv/quads.ts as the template generates it. */
export function generate(): string;
