// import() of a Node built-in module by a specifier no bundler can read ahead of time, so that
// bundles for browsers and workers leave it alone (it only runs where isNode() said so, or for
// file: URLs). A constant specifier would be folded into the import by minifiers and then
// resolved (and refused) by the user's bundler.

export function importNodeBuiltin<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ `node:${name}`) as Promise<T>;
}
