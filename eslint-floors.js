// The floors of docs/conventions.md, bottom to top: a folder of src/ imports only lower floors,
// never another feature's repository (its service instead), and the top floor (dashboard, admin,
// pages) may read across features. Types may cross (deps.ts and features.ts name interfaces).
const FLOORS = [
  ['platform'],
  ['web'],
  ['accounts'],
  ['services'],
  ['documents'],
  ['requests'],
  ['households'],
  ['enrolments'],
  ['reservations'],
  ['billing'],
  ['payments'],
  ['dashboard', 'admin', 'pages'],
];
const COMPOSITION = [
  '../app.js',
  '../server.js',
  '../compose.js',
  '../bootstrap.js',
  '../worker.js',
  '../features.js',
  '../cli/*',
];

export const floorRules = FLOORS.flatMap((floor, i) => {
  const above = FLOORS.slice(i + 1).flat();
  const top = i === FLOORS.length - 1;
  return floor.map((me) => {
    const neighbours = top ? [] : floor.filter((f) => f !== me);
    const higher = [...above, ...neighbours].map((f) => `../${f}/*`);
    const patterns = [
      { group: COMPOSITION, allowTypeImports: true, message: 'The composition floor is imported by nobody.' },
    ];
    if (higher.length)
      patterns.push({
        group: higher,
        message: `src/${me} may import only lower floors (docs/conventions.md, "Floors").`,
      });
    if (!top) {
      patterns.push({
        group: ['../*/repository.js', '../*/repository-*.js', '../*/*-repository.js'],
        allowTypeImports: true,
        message: "Another feature's repository: call that feature's service.",
      });
    }
    return {
      files: [`src/${me}/**/*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
    };
  });
});
