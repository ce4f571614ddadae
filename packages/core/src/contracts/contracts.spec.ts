import * as fs from 'fs';
import * as path from 'path';

// The contracts plugins implement, and what they may import: they must not depend on the DI
// container (di/), directly or through another module, so that a plugin's types never pull in
// Inversify or the application's registries.
const src = path.resolve(__dirname, '..');
const contracts = [
  'contracts/Named.ts',
  'distill/Distiller.ts',
  'distill/DistillTools.ts',
  'model/Model.ts',
  'eval/Evaluator.ts',
  'train/TrainingSource.ts',
  'data/DataAdapter.ts',
];

/** Every module of core a file reaches through relative imports (type-only imports included). */
function reach(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = fs.readFileSync(path.join(src, file), 'utf8');
  for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
    const target = path.relative(src, path.resolve(path.dirname(path.join(src, file)), m[1]));
    const candidates = [`${target}.ts`, path.join(target, 'index.ts')];
    const found = candidates.find((c) => fs.existsSync(path.join(src, c)));
    if (found) reach(found, seen);
  }
  return seen;
}

describe("core's contracts", () => {
  it.each(contracts)('%s reaches no module of the DI container', (contract) => {
    const reached = [...reach(contract)];
    expect(reached).toContain(contract);
    expect(reached.filter((f) => f.startsWith(`di${path.sep}`))).toEqual([]);
  });

  it('the check sees a dependency on the container when there is one', () => {
    // runTraining takes the application's Services: the walk must find di/Services.ts.
    expect([...reach('train/runTraining.ts')]).toContain(path.join('di', 'Services.ts'));
  });
});
