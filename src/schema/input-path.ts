import {
  GraphQLError,
  Kind,
  parse,
  visit,
  type ArgumentNode,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type ObjectFieldNode,
} from 'graphql';

/**
 * Names the input an error is about, as a form knows it: the argument path from the field
 * (`input.amount`, `input.spendingLimit.interval`, `first`), whether the bad value came in a
 * variable, in the document itself, or was refused by a resolver.
 */

// graphql-js's wording for variable coercion (coerceVariableValues / coerceInputValue).
const VARIABLE =
  /^Variable "\$(\w+)" (?:got invalid value [\s\S]*?(?: at "([\w.[\]]+)")?; ([\s\S]*)|of (?:required|non-null) type [\s\S]*)$/;
const NESTED_FIELD = /^Field "(?:\w+\.)?(\w+)" (?:of required type .* was not provided|is not defined by type)/;
const MISSING_ARGUMENT = /argument "(\w+)" of type .* is required, but it was not provided/;
const LITERAL_MISSING_FIELD = /^Field "\w+\.(\w+)" of required type .* was not provided/;
const LITERAL_UNKNOWN_FIELD = /^Field "(\w+)" is not defined by type/;

/** The input path of a variable coercion or validation error, or undefined when it names no input. */
export function inputPathOfRequestError(reported: GraphQLError): string | undefined {
  const error = located(reported);
  const document = documentOf(error);
  if (!document) return undefined;
  const variable = VARIABLE.exec(error.message);
  if (variable) {
    const [, name, at, reason] = variable;
    const usage = variableUsages(document).get(name);
    if (!usage) return undefined;
    // `at "i.spendingLimit.interval"`: the variable's own name, then the path inside it.
    const inside = at
      ? at
          .split('.')
          .slice(1)
          .join('.')
          .replace(/\[(\d+)\]/g, '.$1')
      : '';
    const nested = reason === undefined ? undefined : NESTED_FIELD.exec(reason)?.[1];
    return join(usage, inside, nested);
  }
  const node = error.nodes?.[0];
  if (!node) return undefined;
  const missingArgument = MISSING_ARGUMENT.exec(error.message);
  if (missingArgument) return missingArgument[1];
  const at = pathOfNode(document, node);
  if (at === undefined) return undefined;
  const child = LITERAL_MISSING_FIELD.exec(error.message)?.[1];
  // An unknown field is reported on the field itself, whose path already ends with its name.
  return LITERAL_UNKNOWN_FIELD.test(error.message) ? at : join(at, child);
}

/**
 * The input path of a resolver's own refusal: `relative` names the input the domain checked
 * (`amount`, `walletId`), and the field's arguments tell whether it sits inside `input`.
 */
export function inputPathOfResolverError(error: GraphQLError, relative: string): string {
  const field = error.nodes?.find((n): n is FieldNode => n.kind === Kind.FIELD);
  const args = new Set(field?.arguments?.map((a) => a.name.value) ?? []);
  const head = relative.split('.')[0];
  if (args.has(head) || !args.has('input')) return relative;
  return `input.${relative}`;
}

/** The error itself, or the one it wraps that still knows where in the document it was (graphql-ws rewraps refusals). */
function located(error: GraphQLError): GraphQLError {
  for (let e: unknown = error; e instanceof GraphQLError; e = e.originalError) {
    if (e.source || e.nodes?.length) return e;
  }
  return error;
}

function join(...parts: (string | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== '').join('.');
}

/** Errors raised while a request is parsed and checked keep their source text; parsing it again is cheap and rare. */
function documentOf(error: GraphQLError): DocumentNode | undefined {
  const body = error.source?.body ?? error.nodes?.[0]?.loc?.source.body;
  if (!body) return undefined;
  try {
    return parse(body, { noLocation: false });
  } catch {
    return undefined;
  }
}

/** For each variable, the argument path of its first use (`$i` in `transfer(input: $i)` is `input`). */
function variableUsages(document: DocumentNode): Map<string, string> {
  const usages = new Map<string, string>();
  walkArguments(document, (path, node) => {
    if (node.kind === Kind.VARIABLE && !usages.has(node.name.value)) usages.set(node.name.value, path);
  });
  return usages;
}

/** The argument path of the value node at the same place in the document as `target`. */
function pathOfNode(document: DocumentNode, target: ASTNode): string | undefined {
  const start = target.loc?.start;
  if (start === undefined) return undefined;
  let found: string | undefined;
  walkArguments(document, (path, node, holder) => {
    if (found === undefined && (node.loc?.start === start || holder.loc?.start === start)) found = path;
  });
  return found;
}

/** Calls `visitValue` with the path of every argument and object field value in the document. */
function walkArguments(
  document: DocumentNode,
  visitValue: (path: string, value: ASTNode, holder: ArgumentNode | ObjectFieldNode) => void,
): void {
  const path: string[] = [];
  const enter = (node: ArgumentNode | ObjectFieldNode) => {
    path.push(node.name.value);
    visitValue(path.join('.'), node.value, node);
  };
  const leave = () => {
    path.pop();
  };
  visit(document, {
    Argument: { enter, leave },
    ObjectField: { enter, leave },
    // Directive arguments (@include(if: $x)) are not inputs a form holds.
    Directive: () => false,
  });
}
