import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/**
 * A Stryker ignorer (stryker.config.json, docs/testing.md): a mutant inside a log call
 * (`this.log.warn(...)`, `log.info(...)`) changes only what an operator reads, never what
 * the API answers or what the ledger holds, so it is not tested and not scored.
 */
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

function isLogCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LEVELS.has(property.name)) return false;
  const target = object.type === 'MemberExpression' ? object.property : object;
  return target.type === 'Identifier' && /^(log|logger)$/.test(target.name);
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'logging', {
    shouldIgnore(path) {
      return isLogCall(path.node) ? 'Log wording: read by operators, not part of any behaviour under test' : undefined;
    },
  }),
];
