export const CHUNK: number;
export function interleave(a: string, b: string, chunk?: number): string;
