// Postinstall guard: the project runs on Node >= 22 (node:sqlite, vitest). `npm run` puts the
// project's own Node 22 (devDependency "node") first on PATH, so only a bare `node file` can miss it.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.warn(
    `note: this shell's Node is ${process.versions.node}; project scripts run on the bundled Node 22 via "npm run".`,
  );
}
