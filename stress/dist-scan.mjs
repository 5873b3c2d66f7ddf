// Campaign 6, what the shipped runtime never does: the built files are parsed (rollup's parser, ESTree) and every
// call that runs a string as code, or writes into the document stream, is reported: eval (direct, indirect, as a
// property), new Function / Function(), a constructor reached through `.constructor(`, setTimeout / setInterval
// with a string (literal, template, or a concatenation with one) as first argument, and .write( / .writeln(
// (document.write, whatever the minifier named the document).
//   node stress/dist-scan.mjs
import { readFileSync } from 'node:fs';
import { parseAst } from 'rollup/parseAst';
import { machineLine } from '../test/support/machine.mjs';
import { goal, isMain, report } from './lib.mjs';

export const FILES = ['dist/bigpipe.min.js', 'dist/bigpipe.tt.min.js', 'dist/bigpipe.js', 'dist/client.js'];

const isNode = (x) => x !== null && typeof x === 'object' && typeof x.type === 'string';

/** Calls `visit(node, parent, key)` for every node, depth first. */
const walk = (node, visit, parent = null, key = null) => {
  visit(node, parent, key);
  for (const [k, value] of Object.entries(node)) {
    if (Array.isArray(value)) for (const child of value) isNode(child) && walk(child, visit, node, k);
    else if (isNode(value)) walk(value, visit, node, k);
  }
};

/** The name of a member access (`a.b`, `a['b']`), or undefined. */
const propertyName = (member) =>
  member.computed
    ? member.property.type === 'Literal' && typeof member.property.value === 'string'
      ? member.property.value
      : undefined
    : member.property.name;

/** The name a callee stands for: `f` or `x.f` / `x['f']` (through `(0, f)`), or undefined. */
const calleeName = (callee) => {
  if (callee.type === 'SequenceExpression') return calleeName(callee.expressions.at(-1));
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression') return propertyName(callee);
};

/** Whether an expression is (or is built from) a string: a string literal, a template, `'a' + x`. */
const stringish = (node) =>
  (node.type === 'Literal' && typeof node.value === 'string') ||
  node.type === 'TemplateLiteral' ||
  (node.type === 'BinaryExpression' && node.operator === '+' && (stringish(node.left) || stringish(node.right)));

/** Every banned construct in `code`: { kind, at, code } with `code` a snippet around it. */
export const scan = (code) => {
  const found = [];
  const add = (kind, node) =>
    found.push({ kind, at: node.start, code: code.slice(Math.max(0, node.start - 20), node.end + 20).slice(0, 120) });
  walk(parseAst(code), (node, parent, key) => {
    // any mention of eval as a value: eval(...), (0, eval)(...), const e = eval
    const asKey =
      (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
      (parent?.type === 'Property' && key === 'key' && !parent.computed);
    if (node.type === 'Identifier' && node.name === 'eval' && !asKey) add('eval', node);
    if (node.type === 'MemberExpression' && propertyName(node) === 'eval') add('eval', node);
    if (node.type === 'NewExpression' || node.type === 'CallExpression') {
      const name = calleeName(node.callee);
      if (name === 'Function') add('new Function', node);
      if (name === 'constructor' && node.callee.type === 'MemberExpression') add('.constructor(...)', node);
      if ((name === 'setTimeout' || name === 'setInterval') && node.arguments[0] && stringish(node.arguments[0]))
        add(`string ${name}`, node);
      if ((name === 'write' || name === 'writeln') && node.callee.type === 'MemberExpression')
        add('document.write', node);
    }
  });
  return found;
};

/** Proof that the scanner sees what it looks for: each line must be found once, the last two never. */
export const SELF_TEST = [
  ['eval("1")', 'eval'],
  ['(0, eval)("1")', 'eval'],
  ['window.eval("1")', 'eval'],
  ['window["eval"]("1")', 'eval'],
  ['new Function("return 1")', 'new Function'],
  ['Function("return 1")()', 'new Function'],
  ['(() => {}).constructor("return 1")', '.constructor(...)'],
  ['setTimeout("alert(1)", 10)', 'string setTimeout'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: source text the scanner must catch, not a template
  ['setInterval(`x${1}`, 10)', 'string setInterval'],
  ['window.setTimeout("a" + b, 1)', 'string setTimeout'],
  ['document.write("<p>")', 'document.write'],
  ['const d = document; d.writeln("<p>")', 'document.write'],
  ['setTimeout(f, 10, "timeout")', undefined],
  ['const o = { eval: 1 }; o.x = 2; setTimeout(() => 1, 5)', undefined],
];

export const scanDist = (root = new URL('..', import.meta.url)) =>
  Object.fromEntries(FILES.map((file) => [file, scan(readFileSync(new URL(file, root), 'utf8'))]));

if (isMain(import.meta)) {
  console.log(machineLine());
  const missed = SELF_TEST.filter(([code, kind]) => {
    const found = scan(code);
    return kind ? found.length !== 1 || found[0].kind !== kind : found.length !== 0;
  });
  const results = scanDist();
  report('built runtime: eval, new Function, string timers, document.write', {
    'scanner self-test': missed.length
      ? `MISSED ${JSON.stringify(missed)}`
      : `${SELF_TEST.length} of ${SELF_TEST.length} cases right`,
    ...Object.fromEntries(Object.entries(results).map(([file, found]) => [file, found.length ? found : 'none'])),
  });
  goal('the scanner finds what it looks for', !missed.length);
  goal(
    'no eval, new Function, string timer or document.write in the built runtime',
    Object.values(results).every((f) => !f.length),
  );
}
