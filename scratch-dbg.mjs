import { loadProjects } from './dist/analyzer/project.js';
import { getDoor } from './dist/analyzer/checker.js';
import { methodOf } from './dist/analyzer/orm/recognize.js';
import ts from './node_modules/typescript/lib/typescript.js';
const dir = process.cwd() + '/' + process.argv[2];
const { projects, diagnostics } = loadProjects({ paths: [dir], cwd: dir });
console.log(diagnostics.map(d=>d.message));
for (const p of projects) {
  const door = getDoor(p.program);
  console.log(p.files.map(f=>f.fileName));
  for (const sf of p.files) {
    if (!sf.fileName.endsWith(process.argv[3])) continue;
    const visit = (n) => { if (ts.isCallExpression(n)) { const m = methodOf(door, n); console.log(sf.getLineAndCharacterOfPosition(n.getStart()).line+1, n.expression.getText().slice(0,40), m && m.owner, m && m.module); } ts.forEachChild(n, visit); };
    visit(sf);
  }
}
