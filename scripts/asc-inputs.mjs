// What the wasm builds depend on, hashed, so that scripts/build.mjs can skip asc (~20 s, most of
// a build) when nothing it reads has changed: the AssemblyScript sources, the asc config and
// arguments, and the versions of asc and of the binaryen it optimises with.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** @param {string} root the project (assembly/, asconfig.json) @param {string} args asc's arguments */
export function ascInputsHash(root, args, modules = join(root, "node_modules")) {
  const hash = createHash("sha256");
  const files = readdirSync(join(root, "assembly"), { recursive: true })
    .map((file) => join("assembly", file))
    .filter((file) => statSync(join(root, file)).isFile())
    .sort();
  for (const file of [...files, "asconfig.json"]) hash.update(`${file}\0`).update(readFileSync(join(root, file)));
  hash.update(`${args}\0`);
  for (const pkg of ["assemblyscript", "binaryen"]) {
    const { version } = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8"));
    hash.update(`${pkg}@${version}\0`);
  }
  return hash.digest("hex");
}
