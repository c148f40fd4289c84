/**
 * The layers of src/, lowest first. A module may import its own layer's folder and any lower layer,
 * never a higher one (docs/design.md, "Layers"). `npm run lint` runs this check.
 */
const LAYERS = [
  ["util", "errors"],
  ["sql"],
  ["config"],
  ["db"],
  ["introspect"],
  ["ddl"],
  ["copy", "restore", "verify", "archive", "mask"],
  ["pipeline"],
  ["output"],
  ["schedule"],
  ["cli", "demo", "embedded"],
];

const folderPattern = (name) => (name === "errors" ? "^src/errors\\.ts$" : `^src/${name}/`);

const forbidden = LAYERS.flatMap((layer, index) => {
  const higher = LAYERS.slice(index + 1).flat();
  if (higher.length === 0) return [];
  return layer.map((name) => ({
    name: `layer-${name}`,
    comment: `src/${name} may not import a higher layer (${higher.join(", ")})`,
    severity: "error",
    from: { path: folderPattern(name) },
    to: { path: higher.map(folderPattern) },
  }));
});

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: "no-circular",
      comment: "a cycle between modules of src/",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true, path: "^src/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
