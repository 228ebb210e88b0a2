export const SOURCE: string;
export function generate(): Promise<Map<string, string>>;
export function onDisk(): Map<string, string>;
